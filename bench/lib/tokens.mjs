// Access tokens for seeded users, signed with the dev stack's own key (.dev/secrets.json). Only a local load tool
// may do this: generated providers have no phone we can receive a code on, and the booking steps need them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importJWK, SignJWT } from "jose";

const ISSUER = "https://api.kormomela.app";
const AUDIENCE = "kormo-mela-app";

export async function mintAccessToken(root, { userId, role, sessionId = crypto.randomUUID() }) {
  const { AUTH_JWKS } = JSON.parse(readFileSync(join(root, ".dev/secrets.json"), "utf8"));
  const jwk = JSON.parse(AUTH_JWKS).keys.find((k) => k.d);
  const key = await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA");
  return new SignJWT({ role, did: "bench", sid: sessionId })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "at+jwt" })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("15m")
    .sign(key);
}
