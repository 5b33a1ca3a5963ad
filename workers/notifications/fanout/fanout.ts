// Booking event -> recipients -> devices and phones -> FCM pushes and SMS, each delivery recorded once.
// At-least-once delivery is made notify-once by the delivery log: a (event, user, channel, target) already sent is
// never sent again, whatever redelivers the event.
import type { DeliveryChannel, DeliveryStatus } from "../../../lib/enums";
import { sha256Hex } from "../../../lib/hash";
import type { BookingEventMessage } from "../../../lib/messages";
import { first, type Runner, rows, run } from "../../../platform/pg/sql";
import { type FcmConfig, sendPush } from "../push/fcm";
import { sendSms } from "../sms/sslwireless";
import { CLAIM_DELIVERY, FORGET_DEVICE, RECIPIENTS, RECORD_DELIVERY } from "../sql";
import { bookingText } from "../templates";
import { plan, recipients } from "./policy";

export interface FanoutDeps {
  pool: Runner;
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

/** One delivery: an event, to one user, on one channel, to one target (stored only as its hash). */
interface Delivery {
  event: BookingEventMessage;
  userId: number;
  channel: DeliveryChannel;
  targetHash: string;
}

const deliveryKey = (d: Delivery) => ({
  event_id: d.event.meta.event_id,
  user_id: d.userId,
  channel: d.channel,
  target_hash: d.targetHash,
});

/** Claims a delivery: false when it was already sent (a redelivered event). */
async function claim(pool: Runner, d: Delivery): Promise<boolean> {
  const row = await first(pool, CLAIM_DELIVERY, {
    ...deliveryKey(d),
    event_type: d.event.type,
    booking_id: d.event.id,
  });
  return row !== undefined;
}

async function record(pool: Runner, d: Delivery, status: Exclude<DeliveryStatus, "pending">, error: string | null) {
  await run(pool, RECORD_DELIVERY, { ...deliveryKey(d), status, error: error?.slice(0, 300) ?? null });
}

export async function fanout(e: BookingEventMessage, deps: FanoutDeps): Promise<FanoutResult> {
  const now = deps.now ?? new Date();
  const ids = recipients(e.type, e.meta.actor).map((r) => (r === "customer" ? e.customer_id : e.meta.provider_user_id));
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  if (ids.length === 0) return result;
  const facts = { id: e.id, start_date: e.meta.start_date, price_poisha: e.meta.price_poisha };
  for (const user of await rows(deps.pool, RECIPIENTS, { ids })) {
    const text = bookingText(e.type, user.lang, facts);
    const p = plan(e.type, user, user.devices.length, now);
    const targets: { channel: DeliveryChannel; target: string }[] = [
      ...(p.push ? user.devices.map((target) => ({ channel: "push" as const, target })) : []),
      ...(p.sms ? [{ channel: "sms" as const, target: user.phone }] : []),
    ];
    // A user's devices are independent: reach them side by side.
    await Promise.all(
      targets.map(async ({ channel, target }) => {
        const d = { event: e, userId: user.id, channel, targetHash: await sha256Hex(`${channel}:${target}`) };
        await deliver(deps, d, target, { text, holdS: p.holdS }, result);
      }),
    );
  }
  return result;
}

async function deliver(
  deps: FanoutDeps,
  d: Delivery,
  target: string,
  { text, holdS }: { text: { title: string; body: string }; holdS: number },
  result: FanoutResult,
): Promise<void> {
  if (!(await claim(deps.pool, d))) return; // already sent
  if (holdS > 0) {
    await record(deps.pool, d, "skipped", "quiet_hours");
    result.holdS = Math.max(result.holdS, holdS);
    return;
  }
  const e = d.event;
  if (d.channel === "sms") {
    const r = await sendSms(deps.sms, target, `${text.title}: ${text.body}`, await smsId(e.meta.event_id, d.userId));
    await record(deps.pool, d, r.ok ? "sent" : "failed", r.ok ? null : r.error);
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
    await record(deps.pool, d, "sent", null);
    result.sent++;
    return;
  }
  if (r.kind === "dead_token") await run(deps.pool, FORGET_DEVICE, { push_token: target });
  await record(deps.pool, d, "failed", r.error);
  if (r.kind === "retry") {
    result.retry = true;
    if (r.retryAfterS) result.retryAfterS = Math.max(result.retryAfterS ?? 0, r.retryAfterS);
  }
}

/** The gateway's idempotency id for this SMS (same event and user: same id), so a retry never double-sends. */
async function smsId(eventId: string, userId: number): Promise<string> {
  return (await sha256Hex(`${eventId}:${userId}`)).slice(0, 32);
}
