// The /notifications service's data: where a user's pushes go (user_devices) and their notification preferences,
// read and written through drizzle's typed queries.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { userDevices, users } from "../../../db/schema";
import type { DevicePlatform, Lang } from "../../../lib/enums";

/** Upsert: a token registered by another user moves to the caller (the phone changed hands). */
export async function registerDevice(db: Db, userId: number, device: { push_token: string; platform: DevicePlatform }) {
  await db
    .insert(userDevices)
    .values({ pushToken: device.push_token, userId, platform: device.platform })
    .onConflictDoUpdate({
      target: userDevices.pushToken,
      set: { userId, platform: device.platform },
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
