import { env } from "cloudflare:workers";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from "jose";
import { describe, expect, inject, it } from "vitest";
import { AUDIENCE, ISSUER } from "../auth/tokens";
import { call, errorCode, login } from "./helpers";

const signer = (JSON.parse(env.AUTH_JWKS as string) as { keys: JWK[] }).keys[0] as JWK;

async function forge(
  jwk: JWK,
  claims: Record<string, unknown>,
  opts: { iss?: string; aud?: string; exp?: number | string; kid?: string } = {},
) {
  const key = await importJWK(jwk, "EdDSA");
  return new SignJWT({ role: "customer", did: "dev-1", sid: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: opts.kid ?? (jwk.kid as string), typ: "at+jwt" })
    .setSubject("1")
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(key);
}

const whoami = (token: string) => call("/auth/whoami", { token });

describe("access tokens", () => {
  it("carry sub, role, did, jti, iat, exp, iss, aud and a kid, and verify against the published JWKS", async () => {
    const s = await login();
    const header = decodeProtectedHeader(s.access);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "at+jwt", kid: signer.kid });
    const claims = decodeJwt(s.access);
    expect(claims).toMatchObject({ sub: String(s.userId), role: "customer", iss: ISSUER, aud: AUDIENCE });
    expect(typeof claims.did).toBe("string");
    expect(typeof claims.jti).toBe("string");
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);

    const jwks = await call("/auth/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    const keys = (jwks.body as { keys: JWK[] }).keys;
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
    const verified = await jwtVerify(s.access, createLocalJWKSet({ keys }), { issuer: ISSUER, audience: AUDIENCE });
    expect(verified.payload.sub).toBe(String(s.userId));
  });

  it("open a protected route with no database hit", async () => {
    const s = await login();
    const res = await whoami(s.access);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: s.userId, role: "customer", session_id: s.sessionId });
  });

  it("are refused when missing or not Bearer", async () => {
    const none = await call("/auth/whoami");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call("/auth/whoami", { headers: { authorization: "Basic abc" } })).status).toBe(401);
  });

  it("are refused when expired", async () => {
    const token = await forge(signer, {}, { exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await whoami(token);
    expect(res.status).toBe(401);
    expect(errorCode(res.body)).toBe("unauthenticated");
  });

  it("are refused when tampered with", async () => {
    const s = await login();
    const [h, p, sig] = s.access.split(".") as [string, string, string];
    const payload = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/")));
    payload.role = "admin";
    const forgedPayload = btoa(JSON.stringify(payload)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    expect((await whoami(`${h}.${forgedPayload}.${sig}`)).status).toBe(401);
  });

  it("are refused with alg none", async () => {
    const unsecured = new UnsecuredJWT({ role: "admin", did: "x", sid: crypto.randomUUID() })
      .setSubject("1")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("5m")
      .encode();
    expect((await whoami(unsecured)).status).toBe(401);
  });

  it("are refused with the wrong audience or issuer", async () => {
    expect((await whoami(await forge(signer, {}, { aud: "someone-else" }))).status).toBe(401);
    expect((await whoami(await forge(signer, {}, { iss: "https://evil.example" }))).status).toBe(401);
  });

  it("are refused when signed by an unknown key, even one claiming a known kid", async () => {
    const stranger = JSON.parse(inject("strangerJwk")) as JWK;
    expect((await whoami(await forge(stranger, {}))).status).toBe(401);
    expect((await whoami(await forge(stranger, {}, { kid: signer.kid as string }))).status).toBe(401);
  });

  it("still verify when signed by a retired key that is kept for verification", async () => {
    const retired = JSON.parse(inject("retiredJwk")) as JWK;
    const res = await whoami(await forge(retired, {}));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: 1, role: "customer" });
  });
});
