import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../../package.json";
import { call, login } from "./helpers";

describe("HTTP basics", () => {
  it("answers an unknown route with a JSON 404 that carries the request id", async () => {
    const res = await call("/no/such/route");
    expect(res.status).toBe(404);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual({ error: { code: "not_found", message: "There is no such endpoint.", request_id: id } });
  });

  it("echoes a well-formed X-Request-Id and replaces a hostile one", async () => {
    const mine = await call("/no/such/route", { headers: { "x-request-id": "app-7f3a9c1e-0001" } });
    expect(mine.headers.get("x-request-id")).toBe("app-7f3a9c1e-0001");
    expect((mine.body.error as { request_id: string }).request_id).toBe("app-7f3a9c1e-0001");
    const hostile = await call("/health", { headers: { "x-request-id": "<script>alert(1)</script>" } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers in Bangla when the caller prefers it", async () => {
    const res = await call("/no/such/route", { headers: { "accept-language": "bn-BD, en;q=0.8" } });
    expect((res.body.error as { message: string }).message).toBe("এমন কোনো এন্ডপয়েন্ট নেই।");
    const en = await call("/no/such/route", { headers: { "accept-language": "en-US, bn;q=0.3" } });
    expect((en.body.error as { message: string }).message).toBe("There is no such endpoint.");
  });

  it("refuses a body over the limit with 413 JSON", async () => {
    const res = await call("/auth/otp/request", {
      method: "POST",
      body: JSON.stringify({ phone: "x".repeat(300_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "payload_too_large" });
  });

  it("sets security headers and answers CORS preflights for the apps", async () => {
    const health = await call("/health");
    expect(health.headers.get("x-content-type-options")).toBe("nosniff");
    expect(health.headers.get("strict-transport-security")).toContain("max-age");
    const preflight = await exports.default.fetch("http://api.test/booking/health", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.kormomela.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
  });

  it("publishes an OpenAPI 3.1 document that describes every service", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const paths = Object.keys(res.body.paths as object);
    for (const p of ["/health", "/ready", "/auth/otp/request", "/auth/otp/verify", "/auth/token/refresh"]) {
      expect(paths).toContain(p);
    }
    for (const s of ["auth", "booking", "provider", "search", "payments", "notifications"]) {
      expect(paths).toContain(`/${s}/health`);
    }
  });

  it("serves the docs page and the pinned Scalar bundle from the gateway itself", async () => {
    const script = `/docs/scalar-${pkg.dependencies["@scalar/api-reference"]}.js`;
    for (const path of ["/docs", "/docs/"]) {
      const page = await exports.default.fetch(`http://api.test${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await page.text();
      expect(html).toContain(`<script src="${script}"></script>`);
      expect(html).toContain('data-url="/openapi.json"');
      // No URL but the page's own origin (where try-it requests go).
      expect(html.replaceAll("http://api.test", "")).not.toMatch(/https?:\/\//);
      // The route's own policy survives the global secure headers.
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self';");
      expect(csp).toContain("font-src 'self' data:;");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const js = await exports.default.fetch(`http://api.test${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const body = await js.text();
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(body).toContain("createApiReference");
    const other = await exports.default.fetch("http://api.test/docs/scalar-0.0.1.js");
    expect(other.status).toBe(404);
  });
});

describe("caching of answers", () => {
  it("marks private answers no-store and lets public ones say how long they keep", async () => {
    const me = await login();
    const privateAnswer = await call("/auth/me", { token: me.access });
    expect(privateAnswer.status).toBe(200);
    expect(privateAnswer.headers.get("cache-control")).toBe("no-store");
    const refused = await call("/auth/me");
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const catalog = await call("/provider/services");
    expect(catalog.headers.get("cache-control")).toBe("public, max-age=300");
  });
});
