import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { BASE, call, errorCode, login, sql } from "./helpers";

const refresh = (token: string, headers: Record<string, string> = {}, path = "/auth/token/refresh") =>
  call(path, { method: "POST", token, headers });

async function familySize(sessionId: string): Promise<number> {
  const rows = await sql<{ n: string }>("SELECT count(*) AS n FROM refresh_tokens WHERE family_id = $1", [sessionId]);
  return Number(rows[0]?.n);
}

/** Moves a rotated token's rotation time into the past, past the race grace window. */
async function ageRotation(sessionId: string) {
  await sql(
    "UPDATE refresh_tokens SET revoked_at = now() - interval '1 minute' WHERE family_id = $1 AND replaced_by IS NOT NULL",
    [sessionId],
  );
}

describe("refresh token rotation", () => {
  it("returns a new access and refresh token on both the seed path and the short path", async () => {
    const s = await login();
    const first = await refresh(s.refresh, {}, "/auth/auth/token/refresh");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(first.body.refresh_token).not.toBe(s.refresh);
    const second = await refresh(first.body.refresh_token as string);
    expect(second.status).toBe(200);
    expect((await call("/auth/whoami", { token: second.body.access_token as string })).status).toBe(200);
    expect(await familySize(s.sessionId)).toBe(3);
  });

  it("ends the whole family when a rotated token is presented again", async () => {
    const s = await login();
    const rotated = await refresh(s.refresh);
    expect(rotated.status).toBe(200);
    await ageRotation(s.sessionId);
    const reuse = await refresh(s.refresh);
    expect(reuse.status).toBe(401);
    // The thief's copy is dead, and so is the newest token of the family.
    const newest = await refresh(rotated.body.refresh_token as string);
    expect(newest.status).toBe(401);
    expect((newest.body.error as { message: string }).message).toContain("session has ended");
    const [row] = await sql<{ revoke_reason: string }>("SELECT revoke_reason FROM auth_sessions WHERE id = $1", [
      s.sessionId,
    ]);
    expect(row?.revoke_reason).toBe("refresh_reuse");
  });

  it("tells a client that raced itself to use the newest token, without ending the session", async () => {
    const s = await login();
    const rotated = await refresh(s.refresh);
    const again = await refresh(s.refresh);
    expect(again.status).toBe(401);
    expect((again.body.error as { message: string }).message).toContain("just replaced");
    expect((await refresh(rotated.body.refresh_token as string)).status).toBe(200);
  });

  it("yields at most one new family member for concurrent refreshes of one token", async () => {
    const s = await login();
    const results = await Promise.all(Array.from({ length: 6 }, () => refresh(s.refresh)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(await familySize(s.sessionId)).toBe(2);
  });

  it("refuses unknown, malformed and missing refresh tokens", async () => {
    expect((await refresh("kmr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(401);
    expect((await refresh("not-a-refresh-token")).status).toBe(401);
    const none = await call("/auth/token/refresh", { method: "POST" });
    expect(none.status).toBe(401);
    expect(errorCode(none.body)).toBe("unauthenticated");
  });

  it("refuses an access token presented as a refresh token", async () => {
    const s = await login();
    expect((await refresh(s.access)).status).toBe(401);
  });

  it("refuses a session bound to one device id when another is claimed", async () => {
    const s = await login(undefined, { device_id: "phone-A" });
    expect((await refresh(s.refresh, { "x-device-id": "phone-B" })).status).toBe(401);
    expect((await refresh(s.refresh, { "x-device-id": "phone-A" })).status).toBe(200);
  });
});

describe("device-bound sessions (DPoP)", () => {
  async function deviceKey() {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = await exportJWK(publicKey);
    return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK };
  }

  async function proof(
    key: { privateKey: CryptoKey; jwk: JWK },
    opts: { htu?: string; htm?: string; iat?: number; jti?: string } = {},
  ) {
    return new SignJWT({ htm: opts.htm ?? "POST", htu: opts.htu ?? `${BASE}/auth/token/refresh` })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: key.jwk })
      .setJti(opts.jti ?? crypto.randomUUID())
      .setIssuedAt(opts.iat ?? Math.floor(Date.now() / 1000))
      .sign(key.privateKey);
  }

  it("requires a proof signed by the enrolled key, and accepts a fresh one", async () => {
    const key = await deviceKey();
    const s = await login(undefined, { device_key: key.jwk });
    const missing = await refresh(s.refresh);
    expect(missing.status).toBe(401);
    expect((missing.body.error as { message: string }).message).toContain("DPoP");
    const ok = await refresh(s.refresh, { dpop: await proof(key) });
    expect(ok.status).toBe(200);
  });

  it("refuses a proof forged with another key", async () => {
    const key = await deviceKey();
    const thief = await deviceKey();
    const s = await login(undefined, { device_key: key.jwk });
    expect((await refresh(s.refresh, { dpop: await proof(thief) })).status).toBe(401);
    // Claiming the victim's public key in the header does not help: the signature will not verify.
    const mixed = await proof({ privateKey: thief.privateKey, jwk: key.jwk });
    expect((await refresh(s.refresh, { dpop: mixed })).status).toBe(401);
    // Nothing was spent by the failed attempts.
    expect((await refresh(s.refresh, { dpop: await proof(key) })).status).toBe(200);
  });

  it("refuses a replayed proof", async () => {
    const key = await deviceKey();
    const s = await login(undefined, { device_key: key.jwk });
    const once = await proof(key);
    const first = await refresh(s.refresh, { dpop: once });
    expect(first.status).toBe(200);
    expect((await refresh(first.body.refresh_token as string, { dpop: once })).status).toBe(401);
  });

  it("refuses a proof for another URL or method, or a stale one", async () => {
    const key = await deviceKey();
    const s = await login(undefined, { device_key: key.jwk });
    expect((await refresh(s.refresh, { dpop: await proof(key, { htu: `${BASE}/auth/me` }) })).status).toBe(401);
    expect((await refresh(s.refresh, { dpop: await proof(key, { htm: "GET" }) })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await refresh(s.refresh, { dpop: await proof(key, { iat: stale }) })).status).toBe(401);
  });
});
