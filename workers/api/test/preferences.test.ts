import { describe, expect, it } from "vitest";
import { call, login, sql } from "./helpers";

describe("notification preferences", () => {
  it("stores language, opt-outs and quiet hours across midnight, and reads them back", async () => {
    const s = await login();
    const prefs = { lang: "bn", push: false, sms: true, quiet_hours: { start: "22:00", end: "07:00" } };
    const put = await call("/notifications/preferences", { method: "PUT", token: s.access, body: prefs });
    expect(put.status).toBe(200);
    expect((await call("/notifications/preferences", { token: s.access })).body).toEqual(prefs);
    expect(
      await sql("SELECT quiet_start_min, quiet_end_min, notify_push FROM users WHERE id = $1", [s.userId]),
    ).toEqual([{ quiet_start_min: 1320, quiet_end_min: 420, notify_push: false }]);
    const off = await call("/notifications/preferences", {
      method: "PUT",
      token: s.access,
      body: { ...prefs, quiet_hours: null },
    });
    expect(off.body.quiet_hours).toBeNull();
  });

  it("refuses a bad clock and anonymous callers", async () => {
    const s = await login();
    const bad = await call("/notifications/preferences", {
      method: "PUT",
      token: s.access,
      body: { lang: "en", push: true, sms: true, quiet_hours: { start: "25:00", end: "07:00" } },
    });
    expect(bad.status).toBe(400);
    expect((await call("/notifications/preferences")).status).toBe(401);
  });
});
