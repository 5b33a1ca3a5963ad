import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireAuth } from "../auth/require-auth";
import type { AppEnv } from "../context";
import { onError } from "../errors";
import { init } from "../middleware/init";
import { requestContext } from "../middleware/request";
import { call, login, sql } from "./helpers";

describe("sessions and logout", () => {
  it("lists my devices and marks the current one", async () => {
    const phone = (await login()).phone;
    const a = await login(phone, { device_id: "tablet" });
    const b = await login(phone, { device_id: "phone" });
    const res = await call("/auth/sessions", { token: b.access });
    expect(res.status).toBe(200);
    const sessions = res.body.sessions as { id: string; device_id: string; current: boolean }[];
    expect(sessions.map((x) => x.device_id).sort()).toEqual(["phone", "tablet", expect.any(String)].sort());
    expect(sessions.find((x) => x.current)?.id).toBe(b.sessionId);
    expect(sessions.some((x) => x.id === a.sessionId)).toBe(true);
  });

  it("logout ends this session: its refresh token stops working, others keep working", async () => {
    const phone = (await login()).phone;
    const a = await login(phone);
    const b = await login(phone);
    const out = await call("/auth/logout", { method: "POST", token: a.access });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ revoked: 1 });
    expect((await call("/auth/token/refresh", { method: "POST", token: a.refresh })).status).toBe(401);
    expect((await call("/auth/token/refresh", { method: "POST", token: b.refresh })).status).toBe(200);
    // Safe to retry.
    expect((await call("/auth/logout", { method: "POST", token: a.access })).body).toEqual({ revoked: 0 });
  });

  it("logout-all ends every session of mine and none of anyone else's", async () => {
    const mine = await login();
    const mine2 = await login(mine.phone);
    const theirs = await login();
    const out = await call("/auth/logout-all", { method: "POST", token: mine.access });
    expect(out.body).toEqual({ revoked: 2 });
    expect((await call("/auth/token/refresh", { method: "POST", token: mine2.refresh })).status).toBe(401);
    expect((await call("/auth/token/refresh", { method: "POST", token: theirs.refresh })).status).toBe(200);
  });

  it("DELETE /auth/sessions/{id} ends my chosen session and 404s on someone else's", async () => {
    const mine = await login();
    const other = await login(mine.phone);
    const stranger = await login();
    const res = await call(`/auth/sessions/${other.sessionId}`, { method: "DELETE", token: mine.access });
    expect(res.body).toEqual({ revoked: 1 });
    const notMine = await call(`/auth/sessions/${stranger.sessionId}`, { method: "DELETE", token: mine.access });
    expect(notMine.status).toBe(404);
    expect((await call("/auth/token/refresh", { method: "POST", token: stranger.refresh })).status).toBe(200);
    const bad = await call("/auth/sessions/not-a-uuid", { method: "DELETE", token: mine.access });
    expect(bad.status).toBe(400);
  });
});

describe("GET /auth/me", () => {
  it("returns the user and their provider id", async () => {
    const s = await login();
    const plain = await call("/auth/me", { token: s.access });
    expect(plain.body).toMatchObject({ user: { id: s.userId, phone: s.phone, role: "customer" }, provider_id: null });
    const [provider] = await sql<{ id: string }>(
      `INSERT INTO providers (user_id, display_name, location)
       VALUES ($1, 'Me Test', ST_SetSRID(ST_MakePoint(90.4, 23.8), 4326)::geography) RETURNING id`,
      [s.userId],
    );
    const again = await call("/auth/me", { token: s.access });
    expect(again.body.provider_id).toBe(Number(provider?.id));
  });
});

describe("requireAuth roles", () => {
  // A route guarded the way admin endpoints are, on the real middleware stack.
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use("*", requestContext(), init());
  app.get("/admin-only", requireAuth(["admin"]), (c) => c.json({ ok: true }));
  app.get("/staff", requireAuth(["provider", "admin"]), (c) => c.json({ ok: true }));
  const get = (path: string, token: string) =>
    app.fetch(
      new Request(`http://t${path}`, { headers: { authorization: `Bearer ${token}` } }),
      env,
      createExecutionContext(),
    );

  it("lets an admin through and refuses a customer with 403", async () => {
    const admin = await login();
    await sql("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
    const adminAgain = await login(admin.phone);
    const customer = await login();
    expect((await get("/admin-only", adminAgain.access)).status).toBe(200);
    const refused = await get("/admin-only", customer.access);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect((await get("/staff", customer.access)).status).toBe(403);
    expect((await get("/staff", adminAgain.access)).status).toBe(200);
  });
});
