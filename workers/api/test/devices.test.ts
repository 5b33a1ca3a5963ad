import { describe, expect, it } from "vitest";
import { call, errorCode, type Json, login, sql } from "./helpers";

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
  it("registers a token, moves it when another user registers it, and deletes only my own", async () => {
    const a = await login();
    const b = await login();
    const token = `sim-${crypto.randomUUID()}`;
    const first = await register(a.access, token, "ios");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ push_token: token, platform: "ios" });
    await register(b.access, token, "android");
    expect(await owner(token)).toEqual([{ user_id: b.userId, platform: "android" }]);
    expect((await unregister(a.access, { push_token: token })).status).toBe(404);
    expect((await unregister(b.access, { push_token: token })).body).toEqual({ deleted: true });
    expect(await owner(token)).toEqual([]);
    const bad = await register(a.access, "x", "symbian");
    expect(bad.status).toBe(400);
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
