// Booking event -> recipients -> devices and phones -> FCM pushes and SMS, each delivery recorded once.
// At-least-once delivery is made notify-once by the delivery log: a (event, user, channel, target) already sent is
// never sent again, whatever redelivers the event.
import type { Pool } from "@neondatabase/serverless";
import { z } from "zod";
import { sha256Hex } from "../../../lib/hash";
import type { Lang } from "../../../lib/i18n";
import { type FcmConfig, sendPush } from "../push/fcm";
import { sendSms } from "../sms/sslwireless";
import { bookingText } from "../templates";
import { type Prefs, plan, type Role, recipients } from "./policy";

export const BookingEventSchema = z.object({
  type: z.string().startsWith("booking."),
  id: z.number().int().positive(),
  actor_id: z.number().int().nullable(),
  customer_id: z.number().int().positive(),
  provider_id: z.number().int().positive(),
  status: z.string(),
  title: z.string(),
  body: z.string(),
  meta: z
    .object({
      event_id: z.string().uuid(),
      provider_user_id: z.number().int().positive(),
      actor: z.string().optional(),
      start_date: z.string().optional(),
      price_poisha: z.number().int().optional(),
    })
    .passthrough(),
});
export type BookingEventMsg = z.infer<typeof BookingEventSchema>;

export interface FanoutDeps {
  pool: Pool;
  fcm: FcmConfig;
  sms: { SMS_API_URL: string; SMS_API_TOKEN: string; SMS_SID: string };
  now?: Date;
}

export interface FanoutResult {
  /** Some delivery hit a transient failure: retry the message (sent ones will not repeat). */
  retry: boolean;
  retryAfterS?: number;
  /** Quiet hours: send the event again after this many seconds. */
  holdS: number;
  sent: number;
}

interface Recipient extends Prefs {
  id: number;
  phone: string;
  lang: Lang;
  devices: string[];
}

/**
 * Claims one delivery: returns false when it was already sent (a redelivered event). Rows that failed or were held
 * back before are taken again. The target is stored only as a hash.
 */
async function claim(pool: Pool, e: BookingEventMsg, userId: number, channel: "push" | "sms", targetHash: string) {
  const { rows } = await pool.query<{ status: string }>(
    `INSERT INTO notification_deliveries (event_id, event_type, booking_id, user_id, channel, target_hash, status, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', 1)
     ON CONFLICT (event_id, user_id, channel, target_hash)
       DO UPDATE SET attempts = notification_deliveries.attempts + 1, status = 'pending'
       WHERE notification_deliveries.status <> 'sent'
     RETURNING status`,
    [e.meta.event_id, e.type, e.id, userId, channel, targetHash],
  );
  return rows.length > 0;
}

async function record(
  pool: Pool,
  e: BookingEventMsg,
  userId: number,
  channel: "push" | "sms",
  targetHash: string,
  status: "sent" | "failed" | "skipped",
  error: string | null,
) {
  await pool.query(
    `UPDATE notification_deliveries SET status = $6, error = $7
      WHERE event_id = $1 AND user_id = $2 AND channel = $3 AND target_hash = $4 AND status <> $5`,
    [e.meta.event_id, userId, channel, targetHash, "sent", status, error?.slice(0, 300) ?? null],
  );
}

export async function fanout(e: BookingEventMsg, deps: FanoutDeps): Promise<FanoutResult> {
  const now = deps.now ?? new Date();
  const roles = recipients(e.type, e.meta.actor);
  const ids = roles.map((r: Role) => (r === "customer" ? e.customer_id : e.meta.provider_user_id));
  if (ids.length === 0) return { retry: false, holdS: 0, sent: 0 };
  const { rows } = await deps.pool.query<Recipient & { id: string }>(
    `SELECT u.id, u.phone, u.lang, u.notify_push, u.notify_sms, u.quiet_start_min, u.quiet_end_min,
            COALESCE(array_agg(d.push_token) FILTER (WHERE d.push_token IS NOT NULL), '{}') AS devices
       FROM users u LEFT JOIN user_devices d ON d.user_id = u.id
      WHERE u.id = ANY($1::bigint[]) GROUP BY u.id`,
    [ids],
  );
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  const facts = {
    id: e.id,
    start_date: e.meta.start_date ?? new Date().toISOString(),
    price_poisha: e.meta.price_poisha ?? 0,
  };
  for (const user of rows) {
    const userId = Number(user.id);
    const text = bookingText(e.type, user.lang, facts) ?? { title: e.title, body: e.body };
    const p = plan(e.type, user, user.devices.length, now);
    const targets: { channel: "push" | "sms"; target: string }[] = [
      ...(p.push ? user.devices.map((t) => ({ channel: "push" as const, target: t })) : []),
      ...(p.sms ? [{ channel: "sms" as const, target: user.phone }] : []),
    ];
    // A user's devices are independent: reach them side by side.
    await Promise.all(
      targets.map(({ channel, target }) => deliver(deps, e, userId, channel, target, text, p.holdS, result)),
    );
  }
  return result;
}

async function deliver(
  deps: FanoutDeps,
  e: BookingEventMsg,
  userId: number,
  channel: "push" | "sms",
  target: string,
  text: { title: string; body: string },
  holdS: number,
  result: FanoutResult,
): Promise<void> {
  const hash = await sha256Hex(`${channel}:${target}`);
  if (!(await claim(deps.pool, e, userId, channel, hash))) return; // already sent
  if (holdS > 0) {
    await record(deps.pool, e, userId, channel, hash, "skipped", "quiet_hours");
    result.holdS = Math.max(result.holdS, holdS);
    return;
  }
  if (channel === "sms") {
    const r = await sendSms(deps.sms, target, `${text.title}: ${text.body}`, await smsId(e.meta.event_id, userId));
    await record(deps.pool, e, userId, channel, hash, r.ok ? "sent" : "failed", r.ok ? null : r.error);
    if (r.ok) result.sent++;
    else if (r.retryable) result.retry = true;
    return;
  }
  const r = await sendPush(deps.fcm, {
    token: target,
    title: text.title,
    body: text.body,
    data: { type: e.type, booking_id: String(e.id), event_id: e.meta.event_id },
  });
  if (r.kind === "sent") {
    await record(deps.pool, e, userId, channel, hash, "sent", null);
    result.sent++;
    return;
  }
  if (r.kind === "dead_token") {
    // FCM says this token will never work again: forget the device.
    await deps.pool.query("DELETE FROM user_devices WHERE push_token = $1", [target]);
  }
  await record(deps.pool, e, userId, channel, hash, "failed", r.error);
  if (r.kind === "retry") {
    result.retry = true;
    if (r.retryAfterS) result.retryAfterS = Math.max(result.retryAfterS ?? 0, r.retryAfterS);
  }
}

/** The gateway's idempotency id for this SMS (same event and user: same id), so a retry never double-sends. */
async function smsId(eventId: string, userId: number): Promise<string> {
  return (await sha256Hex(`${eventId}:${userId}`)).slice(0, 32);
}
