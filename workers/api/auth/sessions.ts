// Device sessions and rotating refresh tokens: issue on login, rotate on refresh, revoke a family on reuse.
import type { Pool, PoolClient } from "@neondatabase/serverless";
import { ApiError } from "../../../lib/errors";
import { sha256Hex } from "../../../lib/hash";
import { withTransaction } from "../../../platform/pg/transaction";
import { opaqueToken } from "./crypto";
import type { DeviceKey } from "./dpop";
import type { Role } from "./tokens";

export const REFRESH_TTL_DAYS = 30;
/** A second use of a just-rotated token within this window is a client race (two tabs, a retry), not theft. */
export const ROTATION_GRACE_S = 10;

export interface DeviceInfo {
  deviceId: string;
  platform: "ios" | "android" | "web";
  deviceName?: string | undefined;
  deviceKey?: { jwk: DeviceKey; jkt: string } | undefined;
}

export interface SessionUser {
  id: number;
  phone: string;
  role: Role;
  name: string | null;
  lang: "bn" | "en";
}

async function insertRefreshToken(tx: PoolClient, familyId: string, userId: number, deviceId: string) {
  const token = opaqueToken("kmr");
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO refresh_tokens (token_hash, family_id, user_id, device_id, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING id`,
    [await sha256Hex(token), familyId, userId, deviceId, REFRESH_TTL_DAYS],
  );
  return { token, id: Number(rows[0]?.id) };
}

/** First login creates the user (role customer); every login opens a new session for the device. */
export async function openSession(pool: Pool, phone: string, device: DeviceInfo, lang: "bn" | "en") {
  return withTransaction(pool, async (tx) => {
    const { rows: users } = await tx.query<SessionUser & { id: string }>(
      // A new user's language starts as the one their app asked in; it is theirs to change later.
      `INSERT INTO users (phone, lang) VALUES ($1, $2)
       ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
       RETURNING id, phone, role, name, lang`,
      [phone, lang],
    );
    const row = users[0];
    if (!row) throw new Error("user upsert returned nothing");
    const user: SessionUser = { ...row, id: Number(row.id) };
    const { rows: sessions } = await tx.query<{ id: string }>(
      `INSERT INTO auth_sessions (user_id, device_id, platform, device_name, device_jkt, device_key)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        user.id,
        device.deviceId,
        device.platform,
        device.deviceName ?? null,
        device.deviceKey?.jkt ?? null,
        device.deviceKey ? JSON.stringify(device.deviceKey.jwk) : null,
      ],
    );
    const sessionId = sessions[0]?.id as string;
    const refresh = await insertRefreshToken(tx, sessionId, user.id, device.deviceId);
    return { user, sessionId, refreshToken: refresh.token };
  });
}

interface TokenRow {
  id: string;
  family_id: string;
  user_id: string;
  device_id: string;
  expired: boolean;
  revoked_at: Date | null;
  rotated_recently: boolean;
  session_revoked: boolean;
  device_jkt: string | null;
  role: Role;
}

export type RotateCheck = (session: { sessionId: string; deviceId: string; jkt: string | null }) => Promise<void>;

/**
 * Rotates a refresh token. The row lock serializes concurrent refreshes of one token: the first rotates, the others
 * see it already rotated. `check` runs under the lock before anything changes (device binding, DPoP).
 */
export async function rotateRefreshToken(pool: Pool, presented: string, check: RotateCheck) {
  const hash = await sha256Hex(presented);
  const outcome = await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<TokenRow>(
      `SELECT rt.id, rt.family_id, rt.user_id, rt.device_id, rt.expires_at <= now() AS expired, rt.revoked_at,
              (rt.replaced_by IS NOT NULL AND rt.revoked_at > now() - make_interval(secs => $2)) AS rotated_recently,
              s.revoked_at IS NOT NULL AS session_revoked, s.device_jkt, u.role
         FROM refresh_tokens rt
         JOIN auth_sessions s ON s.id = rt.family_id
         JOIN users u ON u.id = rt.user_id
        WHERE rt.token_hash = $1
        FOR UPDATE OF rt`,
      [hash, ROTATION_GRACE_S],
    );
    const row = rows[0];
    if (!row || row.expired) return { error: "invalid_token" as const };
    if (row.session_revoked) return { error: "session_ended" as const };
    await check({ sessionId: row.family_id, deviceId: row.device_id, jkt: row.device_jkt });
    if (row.revoked_at) {
      if (row.rotated_recently) return { error: "refresh_rotated" as const };
      // Reuse of a rotated token: someone holds a copy. End the whole family, ours and theirs.
      await tx.query(
        "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'refresh_reuse' WHERE id = $1 AND revoked_at IS NULL",
        [row.family_id],
      );
      await tx.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", [
        row.family_id,
      ]);
      return { error: "session_ended" as const };
    }
    const userId = Number(row.user_id);
    const next = await insertRefreshToken(tx, row.family_id, userId, row.device_id);
    await tx.query("UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1", [row.id, next.id]);
    await tx.query("UPDATE auth_sessions SET last_used_at = now() WHERE id = $1", [row.family_id]);
    return {
      refreshToken: next.token,
      userId,
      role: row.role,
      deviceId: row.device_id,
      sessionId: row.family_id,
    };
  });
  // Thrown after COMMIT, so a family revocation is kept.
  if ("error" in outcome) throw new ApiError("unauthenticated", { message: outcome.error });
  return outcome;
}

export async function listSessions(pool: Pool, userId: number) {
  const { rows } = await pool.query<{
    id: string;
    device_id: string;
    platform: string;
    device_name: string | null;
    bound: boolean;
    created_at: Date;
    last_used_at: Date;
  }>(
    `SELECT id, device_id, platform, device_name, device_jkt IS NOT NULL AS bound, created_at, last_used_at
       FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_used_at DESC LIMIT 100`,
    [userId],
  );
  return rows;
}

/** Revokes sessions of one user (all of them, or one by id). Returns how many were live. */
export async function revokeSessions(pool: Pool, userId: number, reason: string, sessionId?: string) {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id = $2::uuid)
        RETURNING id`,
      [userId, sessionId ?? null, reason],
    );
    if (rows.length > 0) {
      await tx.query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ANY($1::uuid[]) AND revoked_at IS NULL",
        [rows.map((r) => r.id)],
      );
    }
    return rows.length;
  });
}
