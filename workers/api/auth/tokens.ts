// Access tokens: short-lived EdDSA JWTs verified at the edge with no database round trip.
import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { Role } from "../../../lib/enums";
import { ApiError } from "../../../lib/errors";
import { ACCESS_ALG, type KeyRing } from "./keys";

export const ACCESS_TTL_S = 15 * 60;
export const ISSUER = "https://api.kormomela.app";
export const AUDIENCE = "kormo-mela-app";

export interface AccessClaims {
  userId: number;
  role: Role;
  deviceId: string;
  sessionId: string;
  jti: string;
  exp: number;
}

export async function signAccessToken(
  ring: KeyRing,
  subject: { userId: number; role: Role; deviceId: string; sessionId: string },
): Promise<{ token: string; expiresIn: number }> {
  const token = await new SignJWT({ role: subject.role, did: subject.deviceId, sid: subject.sessionId })
    .setProtectedHeader({ alg: ACCESS_ALG, kid: ring.signingKid, typ: "at+jwt" })
    .setSubject(String(subject.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_S}s`)
    .sign(ring.signingKey);
  return { token, expiresIn: ACCESS_TTL_S };
}

/** The claims an access token must carry, beyond what jwtVerify checks. */
const Claims = z.object({
  sub: z.string(),
  role: Role,
  did: z.string(),
  sid: z.string(),
  jti: z.string(),
  exp: z.number(),
});

/** Verifies signature (known kid, EdDSA only: `alg: none` and HS* never pass), iss, aud, exp and claim shapes. */
export async function verifyAccessToken(ring: KeyRing, token: string): Promise<AccessClaims> {
  const refuse = () => new ApiError("unauthenticated", { message: "invalid_token" });
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw refuse();
  }
  const key = kid ? ring.verifyKeys.get(kid) : undefined;
  if (!key) throw refuse();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ACCESS_ALG],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: "at+jwt",
      requiredClaims: ["sub", "jti", "iat", "exp"],
    }));
  } catch {
    throw refuse();
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) throw refuse();
  const { sub, role, did, sid, jti, exp } = claims.data;
  const userId = Number(sub);
  if (!Number.isSafeInteger(userId) || userId <= 0) throw refuse();
  return { userId, role, deviceId: did, sessionId: sid, jti, exp };
}
