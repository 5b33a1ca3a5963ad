// DPoP proofs (RFC 9449) for device-bound sessions: a refresh must be signed by the key the phone enrolled at login.
import type { Redis } from "@upstash/redis/cloudflare";
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from "jose";
import { z } from "zod";

export const DPOP_ALGS = ["ES256", "EdDSA"] as const;
const MAX_SKEW_S = 120;

/** Public keys only: a device key with a private part was sent by mistake and must not be stored. */
export const DeviceKeySchema = z.union([
  z.object({ kty: z.literal("EC"), crv: z.literal("P-256"), x: z.string().min(40), y: z.string().min(40) }).strict(),
  z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(40) }).strict(),
]);
export type DeviceKey = z.infer<typeof DeviceKeySchema>;

export function thumbprint(jwk: DeviceKey): Promise<string> {
  return calculateJwkThumbprint(jwk as JWK, "sha256");
}

export type DpopResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks a DPoP proof: typ dpop+jwt, an allowed asymmetric alg, an embedded public jwk whose thumbprint is the
 * session's, htm/htu equal to this request, a fresh iat, and a jti never seen before (remembered in Redis).
 */
export async function verifyDpop(
  proof: string | undefined,
  expect: { jkt: string; method: string; url: string; redis: Redis; now?: number },
): Promise<DpopResult> {
  if (!proof) return { ok: false, reason: "missing" };
  let jwk: DeviceKey;
  try {
    const header = decodeProtectedHeader(proof);
    if (header.typ !== "dpop+jwt" || !DPOP_ALGS.includes(header.alg as (typeof DPOP_ALGS)[number])) {
      return { ok: false, reason: "header" };
    }
    jwk = DeviceKeySchema.parse(header.jwk);
    if ((await thumbprint(jwk)) !== expect.jkt) return { ok: false, reason: "key" };
    const key = await importJWK(jwk as JWK, header.alg);
    const { payload } = await jwtVerify(proof, key, {
      typ: "dpop+jwt",
      algorithms: [...DPOP_ALGS],
      requiredClaims: ["jti", "iat", "htm", "htu"],
      clockTolerance: MAX_SKEW_S,
      currentDate: expect.now ? new Date(expect.now) : undefined,
    });
    const now = Math.floor((expect.now ?? Date.now()) / 1000);
    if (Math.abs(now - (payload.iat as number)) > MAX_SKEW_S) return { ok: false, reason: "stale" };
    const target = new URL(expect.url);
    const htu = new URL(String(payload.htu));
    if (payload.htm !== expect.method || htu.origin + htu.pathname !== target.origin + target.pathname) {
      return { ok: false, reason: "target" };
    }
    const jti = String(payload.jti);
    if (jti.length < 8 || jti.length > 128) return { ok: false, reason: "jti" };
    const fresh = await expect.redis.set(`dpop:jti:${expect.jkt}:${jti}`, "1", { nx: true, ex: 2 * MAX_SKEW_S + 60 });
    if (fresh !== "OK") return { ok: false, reason: "replay" };
    return { ok: true };
  } catch {
    return { ok: false, reason: "invalid" };
  }
}
