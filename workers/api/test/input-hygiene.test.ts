import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../middleware/input-hygiene";
import { call, errorCode, type Json, login, sql } from "./helpers";

const profile = {
  display_name: "Nul Tester",
  languages: ["bn"],
  services: [{ service_type: "cook", price_poisha: 50_000, unit: "visit" }],
  location: { lat: 23.75, lng: 90.38 },
  service_radius_km: 5,
};

const details = (body: Json) => (body.error as { details?: { issues: { path: string }[] } }).details?.issues ?? [];

describe("control characters never reach the database", () => {
  it("refuses a NUL in any JSON string with 400 naming the field, and stores nothing", async () => {
    const user = await login();
    for (const body of [
      { ...profile, display_name: "Nul\u0000Tester" },
      { ...profile, bio: "cooks \u0000 well" },
      { ...profile, area: { area: "Dhan\u0000mondi" } },
      { ...profile, languages: ["bn", "\u0000"] },
    ]) {
      const res = await call("/provider/providers", { method: "POST", token: user.access, body });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe("invalid_input");
      expect(details(res.body)[0]?.path).toMatch(/display_name|bio|area\.area|languages\.1/);
    }
    const rows = await sql("SELECT 1 FROM providers WHERE user_id = $1", [user.userId]);
    expect(rows).toHaveLength(0);
  });

  it("refuses other C0 controls, a bidi override and a lone surrogate escape", async () => {
    const user = await login();
    for (const raw of [
      JSON.stringify({ ...profile, display_name: "bell\u0007" }),
      JSON.stringify({ ...profile, display_name: "\u202eevil" }),
      `{"display_name":"half \\ud800 pair","languages":["bn"]}`,
    ]) {
      const res = await call("/provider/providers", { method: "POST", token: user.access, body: raw });
      expect(res.status).toBe(400);
    }
  });

  it("refuses %00 in a path and in a query string, in the caller's language", async () => {
    const path = await call("/provider/providers/1%00");
    expect(path.status).toBe(400);
    const query = await call("/search/providers?lat=23.79&lng=90.41&service_type=dri%00ver", {
      headers: { "accept-language": "bn" },
    });
    expect(query.status).toBe(400);
    expect((query.body.error as { message: string }).message).toContain("নিয়ন্ত্রণ অক্ষর");
  });

  it("answers a body nested thousands deep with 400, not a stack overflow", async () => {
    const user = await login();
    for (const raw of [
      `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
      `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`,
    ]) {
      for (const type of ["application/json", "Application/JSON; charset=utf-8"]) {
        const res = await call("/provider/providers", {
          method: "POST",
          token: user.access,
          body: raw,
          headers: { "content-type": type },
        });
        expect(res.status).toBe(400);
        expect(errorCode(res.body)).toBe("invalid_input");
      }
    }
  });

  it("counts nesting outside strings only", () => {
    expect(nestsDeeperThan(JSON.stringify({ bio: "[[[[[[[[[[{{{{{{{{" }), 3)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ bio: 'quote \\" [[[[' }), 3)).toBe(false);
    expect(nestsDeeperThan("[[[[1]]]]", 3)).toBe(true);
    expect(nestsDeeperThan("[[[1]]]", 3)).toBe(false);
  });

  it("answers a malformed percent escape with 400, not 500", async () => {
    const res = await call("/provider/providers/%E0%A4%A");
    expect(res.status).toBe(400);
  });

  it("still lets line breaks through where a schema allows multi-line text", async () => {
    const user = await login();
    const res = await call("/provider/providers", {
      method: "POST",
      token: user.access,
      body: { ...profile, bio: "Line one\nLine two" },
    });
    expect(res.status).toBe(201);
    expect(res.body.bio).toBe("Line one\nLine two");
  });
});
