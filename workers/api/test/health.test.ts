import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const SERVICES = ["auth", "booking", "provider", "search", "payments", "notifications"] as const;

describe("health", () => {
  it("answers {status: ok} on the gateway", async () => {
    const res = await exports.default.fetch("http://api.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.each(SERVICES)("answers {status: ok} on /%s/health", async (service) => {
    const res = await exports.default.fetch(`http://api.test/${service}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
