import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../app";

/** Runs the real app against a modified env, to point one driver at a dead address. */
async function readyWith(overrides: Partial<Env>) {
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(new Request("http://api.test/ready"), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("ready", () => {
  it("answers 200 when Postgres and Redis answer through the Neon and Upstash drivers", async () => {
    const res = await exports.default.fetch("http://api.test/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", checks: { postgres: "ok", redis: "ok" } });
  });

  it("answers 503 naming redis when Redis is unreachable", async () => {
    const res = await readyWith({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe("dependency_unavailable");
    expect(body.error.message).toContain("redis");
    expect(body.error.details).toEqual({ kind: "readiness", checks: { postgres: "ok", redis: "down" } });
  });

  it("answers 503 naming postgres when the database refuses", async () => {
    const res = await readyWith({ DATABASE_URL: "postgres://postgres@127.0.0.1:9/kormo_test" });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { details: unknown } };
    expect(body.error.details).toEqual({ kind: "readiness", checks: { postgres: "down", redis: "ok" } });
  });

  it("answers 503 misconfigured, not 500, when a required variable is missing", async () => {
    const res = await readyWith({ UPSTASH_REDIS_REST_TOKEN: "" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("misconfigured");
  });
});
