// The /auth service's SQL: users, device sessions and rotating refresh tokens. Named statements for the writes and
// the locked rotation read; drizzle for the plain reads.
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../../db/client";
import { authSessions, providers, users } from "../../../db/schema";
import { DevicePlatform, Lang, Role } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const id = z.number().int();
const text = z.string();

export const SessionUser = z.object({
  id: bigintNumber,
  phone: z.string(),
  role: Role,
  name: z.string().nullable(),
  lang: Lang,
});
export type SessionUser = z.infer<typeof SessionUser>;

/** First login creates the user (role customer); a returning one is read back unchanged. */
export const upsertUser = statement({
  params: { phone: text, lang: Lang },
  row: SessionUser.extend({ suspended: z.boolean() }),
  // A new user's language starts as the one their app asked in; it is theirs to change later.
  text: `INSERT INTO users (phone, lang) VALUES (:phone, :lang)
         ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
         RETURNING id, phone, role, name, lang, suspended_at IS NOT NULL AS suspended`,
});

export const insertSession = statement({
  params: {
    user_id: id,
    device_id: text,
    platform: DevicePlatform,
    device_name: text.nullable(),
    device_jkt: text.nullable(),
    device_key: text.nullable(),
  },
  row: z.object({ id: z.string().uuid() }),
  text: `INSERT INTO auth_sessions (user_id, device_id, platform, device_name, device_jkt, device_key)
         VALUES (:user_id, :device_id, :platform, :device_name, :device_jkt, :device_key) RETURNING id`,
});

export const insertRefreshToken = statement({
  params: { token_hash: text, family_id: text, user_id: id, device_id: text, ttl_days: id },
  row: z.object({ id: bigintNumber }),
  text: `INSERT INTO refresh_tokens (token_hash, family_id, user_id, device_id, expires_at)
         VALUES (:token_hash, :family_id, :user_id, :device_id, now() + make_interval(days => :ttl_days))
         RETURNING id`,
});

/** A presented refresh token with what rotation decides on, locked against concurrent refreshes of it. */
export const refreshTokenForRotation = statement({
  params: { token_hash: text, grace_s: id },
  row: z.object({
    id: bigintNumber,
    family_id: z.string(),
    user_id: bigintNumber,
    device_id: z.string(),
    expired: z.boolean(),
    revoked_at: timestamp.nullable(),
    rotated_recently: z.boolean(),
    session_revoked: z.boolean(),
    device_jkt: z.string().nullable(),
    role: Role,
  }),
  text: `SELECT rt.id, rt.family_id, rt.user_id, rt.device_id, rt.expires_at <= now() AS expired, rt.revoked_at,
                (rt.replaced_by IS NOT NULL AND rt.revoked_at > now() - make_interval(secs => :grace_s))
                  AS rotated_recently,
                s.revoked_at IS NOT NULL AS session_revoked, s.device_jkt, u.role
           FROM refresh_tokens rt
           JOIN auth_sessions s ON s.id = rt.family_id
           JOIN users u ON u.id = rt.user_id
          WHERE rt.token_hash = :token_hash
          FOR UPDATE OF rt`,
});

export const revokeSessionForReuse = statement({
  params: { family_id: text },
  row: z.unknown(),
  text: `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'refresh_reuse'
          WHERE id = :family_id AND revoked_at IS NULL`,
});

export const revokeFamilyTokens = statement({
  params: { family_id: text },
  row: z.unknown(),
  text: "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = :family_id AND revoked_at IS NULL",
});

export const markRotated = statement({
  params: { id, replaced_by: id },
  row: z.unknown(),
  text: "UPDATE refresh_tokens SET revoked_at = now(), replaced_by = :replaced_by WHERE id = :id",
});

export const touchSession = statement({
  params: { id: text },
  row: z.unknown(),
  text: "UPDATE auth_sessions SET last_used_at = now() WHERE id = :id",
});

/** Ends live sessions of one user: all of them, or the one named (session_id null means all). */
export const revokeLiveSessions = statement({
  params: { user_id: id, session_id: text.nullable(), reason: text },
  row: z.object({ id: z.string() }),
  text: `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = :reason
          WHERE user_id = :user_id AND revoked_at IS NULL AND (:session_id::uuid IS NULL OR id = :session_id::uuid)
          RETURNING id`,
});

export const revokeTokensOfFamilies = statement({
  params: { family_ids: z.array(z.string()) },
  row: z.unknown(),
  text: "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ANY(:family_ids::uuid[]) AND revoked_at IS NULL",
});

/** Serializes a user's logouts with their device registrations, so no device lands under a session being ended. */
export const lockUser = statement({
  params: { user_id: id },
  row: z.unknown(),
  text: "SELECT id FROM users WHERE id = :user_id FOR UPDATE",
});

/** Push devices go with the session that registered them: ending it unregisters them (a shared phone can switch). */
export const deleteDevicesOfSessions = statement({
  params: { session_ids: z.array(z.string()) },
  row: z.unknown(),
  text: "DELETE FROM user_devices WHERE session_id = ANY(:session_ids::uuid[])",
});

/** Every push device of the user, including ones registered before devices had sessions (logout-all). */
export const deleteDevicesOfUser = statement({
  params: { user_id: id },
  row: z.unknown(),
  text: "DELETE FROM user_devices WHERE user_id = :user_id",
});

/** The user's live sessions, most recently used first. */
export function liveSessions(db: Db, userId: number) {
  return db
    .select({
      id: authSessions.id,
      deviceId: authSessions.deviceId,
      platform: authSessions.platform,
      deviceName: authSessions.deviceName,
      deviceJkt: authSessions.deviceJkt,
      createdAt: authSessions.createdAt,
      lastUsedAt: authSessions.lastUsedAt,
    })
    .from(authSessions)
    .where(and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt)))
    .orderBy(desc(authSessions.lastUsedAt))
    .limit(100);
}

/** Whether a session (live or ended) belongs to the user. */
export async function ownsSession(db: Db, userId: number, sessionId: string): Promise<boolean> {
  const found = await db
    .select({ id: authSessions.id })
    .from(authSessions)
    .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, userId)));
  return found.length > 0;
}

/** A user and their provider id, if they are a provider. */
export async function userWithProvider(db: Db, userId: number) {
  const [found] = await db
    .select({
      id: users.id,
      phone: users.phone,
      role: users.role,
      name: users.name,
      lang: users.lang,
      providerId: providers.id,
    })
    .from(users)
    .leftJoin(providers, eq(providers.userId, users.id))
    .where(eq(users.id, userId));
  return found;
}
