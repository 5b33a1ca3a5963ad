// Booking or review event -> recipients -> devices and phones -> FCM pushes and SMS, each delivery recorded once.
//
// The queue delivers at least once, and so does the outbox relay (the object publishes after its commit, and its
// alarm and the cron sweep relay rows whose publish was not recorded), so one event can reach two consumer
// invocations at the same time. The delivery log makes that notify-once: a delivery (event, user, channel, target)
// is claimed before it is sent, and a claim is refused while the delivery is sent or held by another consumer
// within its lease. The one window left is a consumer that dies (or loses Postgres for longer than record() keeps
// trying) after the provider accepted the message and before the log says so: once its lease runs out the delivery
// is sent again. That is the trade-off taken on purpose: at-least-once per delivery with duplicates confined to
// that window, rather than at-most-once, where such a crash would lose the message for good. A push carries its
// event id as the Android notification tag and the APNs collapse id, so a device that gets it twice shows it once;
// an SMS carries an id the gateway dedupes on.
import type { DeliveryChannel, DeliveryStatus, Lang, NotificationEventType } from "../../../lib/enums";
import { sha256Hex } from "../../../lib/hash";
import type { BookingQueueMessage } from "../../../lib/messages";
import { first, type Runner, rows, run } from "../../../platform/pg/sql";
import { type FcmConfig, sendPush } from "../push/fcm";
import { sendSms } from "../sms/sslwireless";
import { CLAIM_DELIVERY, DELIVERY_STATE, FORGET_DEVICE, RECIPIENTS, RECORD_DELIVERY } from "../sql";
import { bookingText, reviewText } from "../templates";
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

/**
 * What any event on booking-events comes to for the fan-out: which event, about which booking, for whom, worded how
 * for each of them (in their language), with which data on the push.
 */
interface Notice {
  type: NotificationEventType;
  eventId: string;
  bookingId: number;
  recipients: number[];
  text(lang: Lang, userId: number): { title: string; body: string };
  data: Record<string, string>;
}

function noticeOf(e: BookingQueueMessage): Notice {
  if ("booking_id" in e) {
    const facts = { booking_id: e.booking_id, closes_at: e.meta.closes_at, rating: e.meta.rating };
    return {
      type: e.type,
      eventId: e.meta.event_id,
      bookingId: e.booking_id,
      recipients: e.to.map((side) => (side === "customer" ? e.customer_id : e.provider_user_id)),
      text: (lang, userId) => reviewText(e.type, lang, userId === e.customer_id ? "customer" : "provider", facts),
      data: {
        type: e.type,
        booking_id: String(e.booking_id),
        event_id: e.meta.event_id,
        ...(e.meta.review_id ? { review_id: String(e.meta.review_id) } : {}),
      },
    };
  }
  const facts = { id: e.id, start_date: e.meta.start_date, price_poisha: e.meta.price_poisha };
  return {
    type: e.type,
    eventId: e.meta.event_id,
    bookingId: e.id,
    recipients: recipients(e.type, e.meta.actor, e.meta.source).map((r) =>
      r === "customer" ? e.customer_id : e.meta.provider_user_id,
    ),
    text: (lang) => bookingText(e.type, lang, facts),
    data: { type: e.type, booking_id: String(e.id), event_id: e.meta.event_id },
  };
}

/** One delivery: an event, to one user, on one channel, to one target (stored only as its hash). */
export interface Delivery {
  eventId: string;
  eventType: NotificationEventType;
  /** The booking the event is about; none for a job offer (its request has no booking yet). */
  bookingId: number | null;
  userId: number;
  channel: DeliveryChannel;
  targetHash: string;
}

const deliveryKey = (d: Delivery) => ({
  event_id: d.eventId,
  user_id: d.userId,
  channel: d.channel,
  target_hash: d.targetHash,
});

/**
 * How long a claim holds a delivery against other consumers. It must outlast claim -> send -> record: the FCM token
 * and send calls (10 s timeouts each) and record()'s retries (under 8 s). A consumer past it is presumed dead.
 */
export const DELIVERY_LEASE_S = 60;

/** How long record() keeps trying to write an outcome (Postgres dropping the connection right after a send). */
const RECORD_BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000];

type Claim = { kind: "claimed" } | { kind: "sent" } | { kind: "busy"; waitS: number };

/** Claims a delivery: taken by this consumer, already sent, or held by another consumer for a while yet. */
export async function claim(pool: Runner, d: Delivery): Promise<Claim> {
  const key = { ...deliveryKey(d), lease_s: DELIVERY_LEASE_S };
  const row = await first(pool, CLAIM_DELIVERY, { ...key, event_type: d.eventType, booking_id: d.bookingId });
  if (row) return { kind: "claimed" };
  const state = await first(pool, DELIVERY_STATE, key);
  if (state?.status === "sent") return { kind: "sent" };
  return { kind: "busy", waitS: Math.max(1, state?.wait_s ?? 1) };
}

/**
 * Writes how a claimed delivery ended, retried over a few seconds: after a send, a lost write means the delivery is
 * sent again once the lease runs out, so a connection dropped at that moment is worth waiting out.
 */
export async function record(
  pool: Runner,
  d: Delivery,
  status: Exclude<DeliveryStatus, "pending">,
  error: string | null,
) {
  const params = { ...deliveryKey(d), status, error: error?.slice(0, 300) ?? null };
  for (let i = 0; ; i++) {
    try {
      await run(pool, RECORD_DELIVERY, params);
      return;
    } catch (err) {
      const wait = RECORD_BACKOFF_MS[i];
      if (wait === undefined) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export async function fanout(e: BookingQueueMessage, deps: FanoutDeps): Promise<FanoutResult> {
  const now = deps.now ?? new Date();
  const notice = noticeOf(e);
  const ids = notice.recipients;
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  if (ids.length === 0) return result;
  for (const user of await rows(deps.pool, RECIPIENTS, { ids })) {
    const text = notice.text(user.lang, user.id);
    const p = plan(notice.type, user, user.devices.length, now);
    const targets: { channel: DeliveryChannel; target: string }[] = [
      ...(p.push ? user.devices.map((target) => ({ channel: "push" as const, target })) : []),
      ...(p.sms ? [{ channel: "sms" as const, target: user.phone }] : []),
    ];
    // A user's devices are independent: reach them side by side.
    await Promise.all(
      targets.map(async ({ channel, target }) => {
        const d: Delivery = {
          eventId: notice.eventId,
          eventType: notice.type,
          bookingId: notice.bookingId,
          userId: user.id,
          channel,
          targetHash: await sha256Hex(`${channel}:${target}`),
        };
        await deliver(deps, notice, d, target, { text, holdS: p.holdS }, result);
      }),
    );
  }
  return result;
}

async function deliver(
  deps: FanoutDeps,
  notice: Notice,
  d: Delivery,
  target: string,
  { text, holdS }: { text: { title: string; body: string }; holdS: number },
  result: FanoutResult,
): Promise<void> {
  const c = await claim(deps.pool, d);
  if (c.kind === "sent") return;
  if (c.kind === "busy") {
    // Another consumer is sending it. Acking would lose the delivery if that consumer dies; come back after its
    // lease and find it sent (then ack) or stale (then send).
    result.retry = true;
    result.retryAfterS = Math.max(result.retryAfterS ?? 0, c.waitS);
    return;
  }
  if (holdS > 0) {
    await record(deps.pool, d, "skipped", "quiet_hours");
    result.holdS = Math.max(result.holdS, holdS);
    return;
  }
  if (d.channel === "sms") {
    const r = await sendSms(deps.sms, target, `${text.title}: ${text.body}`, await smsId(notice.eventId, d.userId));
    await record(deps.pool, d, r.ok ? "sent" : "failed", r.ok ? null : r.error);
    if (r.ok) result.sent++;
    else if (r.retryable) result.retry = true;
    return;
  }
  const r = await sendPush(deps.fcm, {
    token: target,
    title: text.title,
    body: text.body,
    data: notice.data,
    collapseId: notice.eventId,
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
