// The /notifications service's data: where a user's pushes go (user_devices) and their notification preferences.
// Registration runs as named statements under the user's row lock (so the per-user cap holds); the rest is drizzle.
import type { Pool } from "@neondatabase/serverless";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../../db/client";
import { userDevices, users } from "../../../db/schema";
import { DevicePlatform, type Lang } from "../../../lib/enums";
import { DEVICES_PER_USER } from "../../../lib/policy";
import { first, run, statement } from "../../../platform/pg/sql";
import { withTransaction } from "../../../platform/pg/transaction";

const id = z.number().int();

/** Serializes one user's registrations, so the cap holds under concurrent ones; says whether the session is live. */
const lockUserSession = statement({
  params: { user_id: id, session_id: z.string() },
  row: z.object({ live: z.boolean() }),
  text: `SELECT EXISTS (SELECT 1 FROM auth_sessions s
                         WHERE s.id = :session_id::uuid AND s.user_id = u.id AND s.revoked_at IS NULL) AS live
           FROM users u WHERE u.id = :user_id FOR UPDATE OF u`,
});

/** Inserts the device, or refreshes the caller's own; a token registered to someone else is left alone (no row). */
const upsertOwnDevice = statement({
  params: { push_token: z.string(), user_id: id, platform: DevicePlatform, session_id: z.string() },
  row: z.object({ push_token: z.string() }),
  text: `INSERT INTO user_devices (push_token, user_id, platform, session_id, last_seen_at)
         VALUES (:push_token, :user_id, :platform, :session_id::uuid, now())
         ON CONFLICT (push_token) DO UPDATE
            SET platform = EXCLUDED.platform, session_id = EXCLUDED.session_id, last_seen_at = now()
          WHERE user_devices.user_id = EXCLUDED.user_id
         RETURNING push_token`,
});

/** Keeps the user's `keep` most recently seen devices (the one just registered first), drops the rest. */
const trimDevices = statement({
  params: { user_id: id, push_token: z.string(), keep: id },
  row: z.object({ push_token: z.string() }),
  text: `DELETE FROM user_devices WHERE push_token IN (
           SELECT push_token FROM user_devices WHERE user_id = :user_id
            ORDER BY (push_token = :push_token) DESC, last_seen_at DESC, created_at DESC
           OFFSET :keep)
         RETURNING push_token`,
});

export type DeviceRegistration = "registered" | "taken" | "session_ended";

/**
 * Registers (or refreshes) a push device for the caller's session. A token registered to another user is not
 * moved ("taken": whoever learned a token must not get its owner's pushes); it is freed when the owner's session
 * ends. Past DEVICES_PER_USER the least recently seen devices are dropped.
 */
export function registerDevice(
  pool: Pool,
  caller: { userId: number; sessionId: string },
  device: { push_token: string; platform: DevicePlatform },
): Promise<DeviceRegistration> {
  return withTransaction(pool, async (tx) => {
    const lock = await first(tx, lockUserSession, { user_id: caller.userId, session_id: caller.sessionId });
    if (!lock?.live) return "session_ended";
    const own = await first(tx, upsertOwnDevice, {
      push_token: device.push_token,
      user_id: caller.userId,
      platform: device.platform,
      session_id: caller.sessionId,
    });
    if (!own) return "taken";
    await run(tx, trimDevices, { user_id: caller.userId, push_token: device.push_token, keep: DEVICES_PER_USER });
    return "registered";
  });
}

/** Removes the caller's own token; someone else's token is left alone. True when one was removed. */
export async function unregisterDevice(db: Db, userId: number, pushToken: string): Promise<boolean> {
  const removed = await db
    .delete(userDevices)
    .where(and(eq(userDevices.pushToken, pushToken), eq(userDevices.userId, userId)))
    .returning({ pushToken: userDevices.pushToken });
  return removed.length > 0;
}

export interface Preferences {
  lang: Lang;
  notifyPush: boolean;
  notifySms: boolean;
  /** Minutes after Dhaka midnight; both null when there are no quiet hours. */
  quietStartMin: number | null;
  quietEndMin: number | null;
}

export async function preferencesOf(db: Db, userId: number): Promise<Preferences | undefined> {
  const [prefs] = await db
    .select({
      lang: users.lang,
      notifyPush: users.notifyPush,
      notifySms: users.notifySms,
      quietStartMin: users.quietStartMin,
      quietEndMin: users.quietEndMin,
    })
    .from(users)
    .where(eq(users.id, userId));
  return prefs;
}

export async function savePreferences(db: Db, userId: number, prefs: Preferences): Promise<void> {
  await db.update(users).set(prefs).where(eq(users.id, userId));
}
