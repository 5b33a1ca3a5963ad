// Device sessions and rotating refresh tokens: issue on login, rotate on refresh, revoke a family on reuse.
import type { Pool } from "@neondatabase/serverless";
import type { DevicePlatform, Lang } from "../../../lib/enums";
import { ApiError } from "../../../lib/errors";
import { sha256Hex } from "../../../lib/hash";
import { first, type Runner, rows, run } from "../../../platform/pg/sql";
import { withTransaction } from "../../../platform/pg/transaction";
import {
  deleteDevicesOfSessions,
  deleteDevicesOfUser,
  insertRefreshToken,
  insertSession,
  lockUser,
  markRotated,
  refreshTokenForRotation,
  revokeFamilyTokens,
  revokeLiveSessions,
  revokeSessionForReuse,
  revokeTokensOfFamilies,
  type SessionUser,
  touchSession,
  upsertUser,
} from "../queries/auth";
import { opaqueToken } from "./crypto";
import type { DeviceKey } from "./dpop";

export const REFRESH_TTL_DAYS = 30;
/** A second use of a just-rotated token within this window is a client race (two tabs, a retry), not theft. */
export const ROTATION_GRACE_S = 10;

export interface DeviceInfo {
  deviceId: string;
  platform: DevicePlatform;
  deviceName?: string | undefined;
  deviceKey?: { jwk: DeviceKey; jkt: string } | undefined;
}

async function issueRefreshToken(tx: Runner, familyId: string, userId: number, deviceId: string) {
  const token = opaqueToken("kmr");
  const created = await first(tx, insertRefreshToken, {
    token_hash: await sha256Hex(token),
    family_id: familyId,
    user_id: userId,
    device_id: deviceId,
    ttl_days: REFRESH_TTL_DAYS,
  });
  if (!created) throw new Error("refresh token insert returned nothing");
  return { token, id: created.id };
}

/** First login creates the user (role customer); every login opens a new session for the device. */
export async function openSession(
  pool: Pool,
  phone: string,
  device: DeviceInfo,
  lang: Lang,
): Promise<{ user: SessionUser; sessionId: string; refreshToken: string }> {
  return withTransaction(pool, async (tx) => {
    const row = await first(tx, upsertUser, { phone, lang });
    if (!row) throw new Error("user upsert returned nothing");
    // A moderator suspended this account (chat moderation): no new session starts until it is lifted.
    const { suspended, ...user } = row;
    if (suspended) throw new ApiError("forbidden", { message: "account_suspended" });
    const session = await first(tx, insertSession, {
      user_id: user.id,
      device_id: device.deviceId,
      platform: device.platform,
      device_name: device.deviceName ?? null,
      device_jkt: device.deviceKey?.jkt ?? null,
      device_key: device.deviceKey ? JSON.stringify(device.deviceKey.jwk) : null,
    });
    if (!session) throw new Error("session insert returned nothing");
    const refresh = await issueRefreshToken(tx, session.id, user.id, device.deviceId);
    return { user, sessionId: session.id, refreshToken: refresh.token };
  });
}

export type RotateCheck = (session: { sessionId: string; deviceId: string; jkt: string | null }) => Promise<void>;

/**
 * Rotates a refresh token. The row lock serializes concurrent refreshes of one token: the first rotates, the others
 * see it already rotated. `check` runs under the lock before anything changes (device binding, DPoP).
 */
export async function rotateRefreshToken(pool: Pool, presented: string, check: RotateCheck) {
  const tokenHash = await sha256Hex(presented);
  const outcome = await withTransaction(pool, async (tx) => {
    const row = await first(tx, refreshTokenForRotation, { token_hash: tokenHash, grace_s: ROTATION_GRACE_S });
    if (!row || row.expired) return { error: "invalid_token" as const };
    if (row.session_revoked) return { error: "session_ended" as const };
    await check({ sessionId: row.family_id, deviceId: row.device_id, jkt: row.device_jkt });
    if (row.revoked_at) {
      if (row.rotated_recently) return { error: "refresh_rotated" as const };
      // Reuse of a rotated token: someone holds a copy. End the whole family, ours and theirs.
      await run(tx, revokeSessionForReuse, { family_id: row.family_id });
      await run(tx, revokeFamilyTokens, { family_id: row.family_id });
      await run(tx, deleteDevicesOfSessions, { session_ids: [row.family_id] });
      return { error: "session_ended" as const };
    }
    const next = await issueRefreshToken(tx, row.family_id, row.user_id, row.device_id);
    await run(tx, markRotated, { id: row.id, replaced_by: next.id });
    await run(tx, touchSession, { id: row.family_id });
    return {
      refreshToken: next.token,
      userId: row.user_id,
      role: row.role,
      deviceId: row.device_id,
      sessionId: row.family_id,
    };
  });
  // Thrown after COMMIT, so a family revocation is kept.
  if ("error" in outcome) throw new ApiError("unauthenticated", { message: outcome.error });
  return outcome;
}

/**
 * Revokes sessions of one user (all of them, or one by id) and unregisters the push devices registered under them
 * (all the user's devices when all sessions end). Returns how many were live.
 */
export async function revokeSessions(pool: Pool, userId: number, reason: string, sessionId?: string) {
  return withTransaction(pool, async (tx) => {
    await run(tx, lockUser, { user_id: userId });
    const revoked = await rows(tx, revokeLiveSessions, {
      user_id: userId,
      session_id: sessionId ?? null,
      reason,
    });
    const ids = revoked.map((r) => r.id);
    if (ids.length > 0) await run(tx, revokeTokensOfFamilies, { family_ids: ids });
    if (sessionId === undefined) await run(tx, deleteDevicesOfUser, { user_id: userId });
    else if (ids.length > 0) await run(tx, deleteDevicesOfSessions, { session_ids: ids });
    return revoked.length;
  });
}
