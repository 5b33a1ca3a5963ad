import { describe, expect, it } from "vitest";
import { DEVICES_PER_USER } from "../../../lib/policy";
import { call, errorCode, type Json, login, type Session, sql } from "./helpers";

const owner = async (token: string) =>
  sql<{ user_id: number; platform: string }>(
    "SELECT user_id::int AS user_id, platform FROM user_devices WHERE push_token = $1",
    [token],
  );

const register = (access: string, push_token: string, platform = "android", path = "/notifications/devices") =>
  call(path, { method: "POST", token: access, body: { push_token, platform } });

const unregister = (access: string | undefined, body: unknown) =>
  call("/notifications/devices", { method: "DELETE", ...(access ? { token: access } : {}), body });

describe("notification devices", () => {
  it("registers a token, refreshes it when I register it again, and deletes only my own", async () => {
    const a = await login();
    const b = await login();
    const token = `sim-${crypto.randomUUID()}`;
    const first = await register(a.access, token, "ios");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ push_token: token, platform: "ios" });
    expect((await register(a.access, token, "android")).status).toBe(200);
    expect(await owner(token)).toEqual([{ user_id: a.userId, platform: "android" }]);
    expect((await unregister(b.access, { push_token: token })).status).toBe(404);
    expect((await unregister(a.access, { push_token: token })).body).toEqual({ deleted: true });
    expect(await owner(token)).toEqual([]);
    const bad = await register(a.access, "x", "symbian");
    expect(bad.status).toBe(400);
  });

  it("refuses with 409 a token registered to another user, and it stays theirs", async () => {
    const a = await login();
    const b = await login();
    const token = `sim-${crypto.randomUUID()}`;
    await register(a.access, token, "ios");
    for (const path of ["/notifications/devices", "/provider/devices/register"]) {
      const res = await register(b.access, token, "android", path);
      expect(res.status, path).toBe(409);
      expect(errorCode(res.body)).toBe("conflict");
      expect((res.body.error as { message: string }).message).toContain("another account");
    }
    expect(await owner(token)).toEqual([{ user_id: a.userId, platform: "ios" }]);
  });

  it("frees a token for the next account when its owner's session ends: logout, session revoke, logout-all", async () => {
    const ends: [string, (s: Session) => Promise<unknown>][] = [
      ["logout", (s) => call("/auth/logout", { method: "POST", token: s.access })],
      ["revoke", (s) => call(`/auth/sessions/${s.sessionId}`, { method: "DELETE", token: s.access })],
      ["logout-all", (s) => call("/auth/logout-all", { method: "POST", token: s.access })],
    ];
    for (const [how, end] of ends) {
      const phone = `dev-shared-${crypto.randomUUID()}`;
      const a = await login(undefined, { device_id: phone });
      const aElsewhere = await login(a.phone);
      const b = await login(undefined, { device_id: phone });
      const token = `sim-${crypto.randomUUID()}`;
      const other = `sim-${crypto.randomUUID()}`;
      expect((await register(a.access, token)).status, how).toBe(200);
      expect((await register(aElsewhere.access, other)).status, how).toBe(200);
      expect((await register(b.access, token)).status, how).toBe(409);
      await end(a);
      expect(await owner(token), how).toEqual([]);
      // Only the ended session's devices go, unless every session ended.
      expect((await owner(other)).length, how).toBe(how === "logout-all" ? 0 : 1);
      expect((await register(b.access, token)).status, how).toBe(200);
      expect(await owner(token), how).toEqual([{ user_id: b.userId, platform: "android" }]);
    }
  });

  it("does not register a device from a session that has ended, though its access token is still unexpired", async () => {
    const a = await login();
    await call("/auth/logout", { method: "POST", token: a.access });
    const token = `sim-${crypto.randomUUID()}`;
    const res = await register(a.access, token);
    expect(res.status).toBe(401);
    expect(await owner(token)).toEqual([]);
  });

  it(`keeps at most ${DEVICES_PER_USER} devices per user, dropping the least recently seen`, async () => {
    const a = await login();
    const tokens = Array.from({ length: DEVICES_PER_USER }, (_, i) => `sim-cap-${i}-${crypto.randomUUID()}`);
    for (const t of tokens) expect((await register(a.access, t)).status).toBe(200);
    // Seen again: the first one is now the most recent, so the second is the oldest.
    expect((await register(a.access, tokens[0] as string)).status).toBe(200);
    const extra = `sim-cap-extra-${crypto.randomUUID()}`;
    expect((await register(a.access, extra)).status).toBe(200);
    const mine = await sql<{ push_token: string }>("SELECT push_token FROM user_devices WHERE user_id = $1", [
      a.userId,
    ]);
    expect(mine.length).toBe(DEVICES_PER_USER);
    expect(mine.map((d) => d.push_token).sort()).toEqual([extra, ...tokens.filter((_, i) => i !== 1)].sort());
    // Many more at once still leave exactly the cap.
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => register(a.access, `sim-burst-${i}-${crypto.randomUUID()}`)),
    );
    const [count] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM user_devices WHERE user_id = $1", [
      a.userId,
    ]);
    expect(count?.n).toBe(DEVICES_PER_USER);
  });

  it("bounds a push token at 4096 printable characters", async () => {
    const a = await login();
    expect((await register(a.access, "t".repeat(4096))).status).toBe(200);
    expect((await register(a.access, "t".repeat(4097))).status).toBe(400);
    expect((await register(a.access, "tok en")).status).toBe(400);
    expect((await unregister(a.access, { push_token: "t".repeat(4096) })).body).toEqual({ deleted: true });
  });

  it("keeps the seed path POST /provider/devices/register working as an alias", async () => {
    const a = await login();
    const token = `sim-${crypto.randomUUID()}`;
    const res = await register(a.access, token, "web", "/provider/devices/register");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ push_token: token, platform: "web" });
    expect(await owner(token)).toEqual([{ user_id: a.userId, platform: "web" }]);
    expect((await register(a.access, "x", "symbian", "/provider/devices/register")).status).toBe(400);
    expect((await unregister(a.access, { push_token: token })).body).toEqual({ deleted: true });
    expect(await owner(token)).toEqual([]);
  });

  it("does not delete a token another user registered: 404, and it stays registered to them", async () => {
    const a = await login();
    const b = await login();
    const token = `sim-${crypto.randomUUID()}`;
    await register(a.access, token, "android");
    const res = await unregister(b.access, { push_token: token });
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe("not_found");
    expect(await owner(token)).toEqual([{ user_id: a.userId, platform: "android" }]);
  });

  it("takes the token only from the body: no token 401, a missing token 400, and no token in the URL", async () => {
    const a = await login();
    const token = `sim-${crypto.randomUUID()}`;
    await register(a.access, token);
    expect((await unregister(undefined, { push_token: token })).status).toBe(401);
    expect((await unregister(a.access, {})).status).toBe(400);
    expect((await call(`/notifications/devices/${token}`, { method: "DELETE", token: a.access })).status).toBe(404);
    expect((await call(`/provider/devices/${token}`, { method: "DELETE", token: a.access })).status).toBe(404);
    expect(await owner(token)).toEqual([{ user_id: a.userId, platform: "android" }]);
  });
});

describe("device paths in the OpenAPI document", () => {
  it("marks the seed path deprecated, points it to the new one, and puts no push token in any path", async () => {
    const doc = (await call("/openapi.json")).body as { paths: Record<string, Record<string, Json>> };
    const alias = doc.paths["/provider/devices/register"]?.post;
    expect(alias?.deprecated).toBe(true);
    expect(alias?.description).toContain("POST /notifications/devices");
    expect(Object.keys(doc.paths["/notifications/devices"] ?? {}).sort()).toEqual(["delete", "post"]);
    expect(Object.keys(doc.paths).filter((p) => /token/i.test(p) && p.includes("devices"))).toEqual([]);
  });
});
