// The signing key ring: several keys verify, one signs, so keys rotate without logging anyone out.
import { type CryptoKey, importJWK, type JWK } from "jose";
import { z } from "zod";

export const ACCESS_ALG = "EdDSA";

const OkpJwk = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().min(40),
  d: z.string().min(40).optional(),
  kid: z.string().min(1).max(64),
});
export const JwkSetSchema = z.object({ keys: z.array(OkpJwk).min(1) });

export interface KeyRing {
  signingKid: string;
  signingKey: CryptoKey;
  verifyKeys: Map<string, CryptoKey>;
  /** Public halves only, as published at /auth/.well-known/jwks.json. */
  publicJwks: { keys: JWK[] };
}

const rings = new Map<string, Promise<KeyRing>>();

/**
 * Builds (once per isolate and configuration) the key ring from AUTH_JWKS: Ed25519 JWKs with a kid. Keys with `d`
 * can sign; AUTH_SIGNING_KID picks the one that does (default: the first with `d`). Keys without `d` only verify,
 * which is how a retired key stays valid until its last token expires.
 */
export function keyRing(jwksJson: string, signingKid: string | undefined): Promise<KeyRing> {
  const cacheKey = `${signingKid ?? ""}|${jwksJson}`;
  let ring = rings.get(cacheKey);
  if (!ring) {
    ring = buildRing(jwksJson, signingKid);
    rings.set(cacheKey, ring);
    ring.catch(() => rings.delete(cacheKey));
  }
  return ring;
}

async function buildRing(jwksJson: string, signingKid: string | undefined): Promise<KeyRing> {
  const set = JwkSetSchema.parse(JSON.parse(jwksJson));
  const signer = signingKid ? set.keys.find((k) => k.kid === signingKid) : set.keys.find((k) => k.d);
  if (!signer?.d) throw new Error("AUTH_JWKS has no private key for the signing kid");
  const verifyKeys = new Map<string, CryptoKey>();
  const publicKeys: JWK[] = [];
  for (const k of set.keys) {
    const pub = { kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: ACCESS_ALG, use: "sig" };
    verifyKeys.set(k.kid, (await importJWK(pub, ACCESS_ALG)) as CryptoKey);
    publicKeys.push(pub);
  }
  return {
    signingKid: signer.kid,
    signingKey: (await importJWK({ ...signer, alg: ACCESS_ALG }, ACCESS_ALG)) as CryptoKey,
    verifyKeys,
    publicJwks: { keys: publicKeys },
  };
}
