// The contract's promises that no single route owns: 405 with Allow, typed and translated validation details, the
// required Idempotency-Key, and the headers a browser app may read.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ISSUE_CODES } from "../../../lib/error-details";
import { call, type Json, login } from "./helpers";

type Issues = { kind: string; issues: { path: string; code: string; message: string }[] };
const details = (body: Json) => (body.error as { details: Issues }).details;

describe("the HTTP contract", () => {
  it("answers a known path under another method with 405, Allow and the JSON envelope", async () => {
    const res = await call("/booking/bookings", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.body.error).toMatchObject({ code: "method_not_allowed" });
    expect(res.headers.get("allow")?.split(", ")).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
    const step = await call("/booking/bookings/12/accept", { method: "GET" });
    expect(step.status).toBe(405);
    expect(step.headers.get("allow")).toBe("OPTIONS, POST");
    // An unknown path stays 404.
    expect((await call("/booking/nothing-here", { method: "PUT" })).status).toBe(404);
  });

  it("types validation details and translates their messages, keeping each path", async () => {
    const s = await login();
    const bad = {
      provider_id: -1,
      service_type: "Driver!",
      start_date: "tomorrow",
      end_date: "2026-12-10T10:00:00Z",
      location: { lat: 91, lng: 90 },
    };
    const headers = { "idempotency-key": crypto.randomUUID() };
    const en = await call("/booking/bookings", { method: "POST", token: s.access, headers, body: bad });
    const bn = await call("/booking/bookings", {
      method: "POST",
      token: s.access,
      headers: { ...headers, "accept-language": "bn" },
      body: bad,
    });
    expect(en.status).toBe(400);
    expect(bn.status).toBe(400);
    const e = details(en.body);
    const b = details(bn.body);
    expect(e.kind).toBe("validation");
    expect(b.kind).toBe("validation");
    const paths = e.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["provider_id", "service_type", "start_date", "location.lat"]));
    // The same issues in the same order, the paths and codes kept, the words in Bangla.
    expect(b.issues.map((i) => [i.path, i.code])).toEqual(e.issues.map((i) => [i.path, i.code]));
    for (const i of e.issues) expect(ISSUE_CODES).toContain(i.code);
    const lat = (issues: Issues["issues"]) => issues.find((i) => i.path === "location.lat")?.message;
    expect(lat(e.issues)).toBe("must be at most 90");
    expect(lat(b.issues)).toBe("সর্বোচ্চ 90 হতে পারে");
    for (const i of b.issues) expect(i.message, i.path).toMatch(/[\u0980-\u09FF]/);
  });

  it("translates the messages of checks a schema cannot make alone (a query's cursor, a window's order)", async () => {
    const res = await call(
      "/search/providers?lat=23.79&lng=90.41&service_type=driver&start=2030-01-02T10:00:00Z&end=2030-01-02T09:00:00Z",
      { headers: { "accept-language": "bn" } },
    );
    expect(res.status).toBe(400);
    expect(details(res.body).issues).toContainEqual({
      path: "end",
      code: "custom",
      message: "শেষের সময় শুরুর পরে হতে হবে",
    });
  });

  it("requires an Idempotency-Key where the document says so, in words that say what to send", async () => {
    const s = await login();
    const res = await call("/booking/bookings", {
      method: "POST",
      token: s.access,
      headers: { "accept-language": "bn" },
      body: {},
    });
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toContain("Idempotency-Key");
    expect(details(res.body).issues[0]?.path).toBe("idempotency-key");
    // A key that is there but malformed is a plain validation error on that header, not "send a key".
    const short = await call("/booking/bookings", {
      method: "POST",
      token: s.access,
      headers: { "idempotency-key": "abc" },
      body: {},
    });
    expect(short.status).toBe(400);
    expect((short.body.error as { message: string }).message).toBe("The request is not valid.");
    expect(details(short.body).issues[0]).toMatchObject({ path: "idempotency-key", code: "too_small" });
  });

  it("lets a browser app read the headers the document declares", async () => {
    const preflight = await exports.default.fetch("http://api.test/booking/bookings", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, idempotency-key, dpop, x-device-id",
      },
    });
    const allowed = preflight.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    for (const h of ["authorization", "idempotency-key", "dpop", "x-device-id", "accept-language"]) {
      expect(allowed).toContain(h);
    }
    const res = await exports.default.fetch("http://api.test/health", { headers: { origin: "https://app.example" } });
    const exposed = res.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    for (const h of ["x-request-id", "retry-after", "x-cache", "idempotent-replayed"]) expect(exposed).toContain(h);
  });
});
