// Personal answers are never kept by a cache: token answers and every answer behind a bearer token say no-store.
import { describe, expect, it } from "vitest";
import { call, freshPhone, type Json, login, makeProvider, plantCode } from "./helpers";

type Operation = { security?: unknown[] };

describe("Cache-Control on personal answers", () => {
  it("marks the token answers of /auth/otp/verify and /auth/token/refresh no-store", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone);
    const verified = await call("/auth/otp/verify", {
      method: "POST",
      body: { phone, code, device_id: "dev-no-store", platform: "android" },
    });
    expect(verified.status).toBe(200);
    expect(verified.headers.get("cache-control")).toBe("no-store");
    expect(verified.headers.get("pragma")).toBe("no-cache");
    for (const path of ["/auth/token/refresh", "/auth/auth/token/refresh"]) {
      const s = await login();
      const refreshed = await call(path, { method: "POST", token: s.refresh });
      expect(refreshed.status, path).toBe(200);
      expect(refreshed.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("marks every answer of every operation behind a bearer token no-store, errors included", async () => {
    const doc = (await call("/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
    const p = await makeProvider();
    const checked: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.security?.length || path.includes("logout")) continue;
        const url = path.replace(/\{[^}]+\}/g, "1");
        const res = await call(url, { method: method.toUpperCase(), token: p.user.access });
        expect(res.headers.get("cache-control"), `${method} ${path} -> ${res.status}`).toBe("no-store");
        checked.push(`${method} ${path}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        "get /auth/me",
        "get /auth/sessions",
        "get /provider/providers/me",
        "get /notifications/preferences",
      ]),
    );
    expect(checked.length).toBeGreaterThan(20);
    // Refused callers get no-store as well: the 401 and 403 of an authenticated route.
    expect((await call("/auth/me")).headers.get("cache-control")).toBe("no-store");
    const customer = await login();
    const forbidden = await call("/provider/kyc/reviews", { token: customer.access });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("cache-control")).toBe("no-store");
  });

  it("leaves public answers cacheable", async () => {
    const p = await makeProvider();
    const res = await call(`/provider/providers/${p.providerId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect((res.body as Json).id).toBe(p.providerId);
  });
});
