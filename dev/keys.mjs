// Signing keys and secrets: generated once per dev machine (kept in .dev/), or printed for production by `npm run keys`.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair } from "jose";

/** A fresh Ed25519 key as a private JWK with a dated kid. */
export async function generateSigningJwk() {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `k-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString("hex")}` };
}

export function randomSecret() {
  return randomBytes(32).toString("base64url");
}

/** Loads .dev/secrets.json or creates it; tokens then survive restarts of the dev stack. */
export async function devSecrets(path) {
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8"));
  const secrets = {
    AUTH_JWKS: JSON.stringify({ keys: [await generateSigningJwk()] }),
    OTP_HMAC_SECRET: randomSecret(),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const jwk = await generateSigningJwk();
  console.log(
    "# New signing key. Rotation: add it to AUTH_JWKS next to the current one, set AUTH_SIGNING_KID to its kid,",
  );
  console.log("# and keep the old key (its public half is enough) until 15 minutes after the switch.");
  console.log(`AUTH_JWKS='${JSON.stringify({ keys: [jwk] })}'`);
  console.log(`OTP_HMAC_SECRET='${randomSecret()}'`);
}
