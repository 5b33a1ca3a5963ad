// Access tokens: short-lived EdDSA JWTs verified at the edge with no database round trip.
import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { USER_ROLES } from "../../../db/schema";
import { ApiError } from "../../../lib/errors";
import { ACCESS_ALG, type KeyRing } from "./keys";

export const ACCESS_TTL_S = 15 * 60;
export const ISSUER = "https://api.kormomela.app";
export const AUDIENCE = "kormo-mela-app";

export type Role = (typeof USER_ROLES)[number];

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

function isRole(v: unknown): v is Role {
  return typeof v === "string" && (USER_ROLES as readonly string[]).includes(v);
}

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
  const userId = Number(payload.sub);
  const { role, did, sid, jti, exp } = payload as JWTPayload & { role?: unknown; did?: unknown; sid?: unknown };
  if (
    !Number.isSafeInteger(userId) ||
    userId <= 0 ||
    !isRole(role) ||
    typeof did !== "string" ||
    typeof sid !== "string"
  ) {
    throw refuse();
  }
  return { userId, role, deviceId: did, sessionId: sid, jti: jti as string, exp: exp as number };
}
