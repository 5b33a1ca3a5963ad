// Notifications test harness: seed users and devices through the same driver the worker uses, build booking
// events as the booking engine does, run batches through the real consumer, and read the simulators' inboxes.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Actor, BookingEventType, BookingStatus, Lang, ReviewEventType, ReviewSide } from "../../../lib/enums";
import { BookingEventMessage, ReviewEventMessage } from "../../../lib/messages";
import { testSql } from "../../../test/sql";
import type { NotificationsEnv } from "../env";
import worker from "../index";

export const nenv = env as unknown as NotificationsEnv;

export const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  testSql<T>(nenv, text, params);

const phone = () =>
  `+8801${5 + Math.floor(Math.random() * 4)}${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

export async function user(
  opts: { lang?: Lang; devices?: string[]; quiet?: [number, number]; push?: boolean; sms?: boolean } = {},
) {
  const [row] = await sql<{ id: string; phone: string }>(
    `INSERT INTO users (phone, lang, notify_push, notify_sms, quiet_start_min, quiet_end_min)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, phone`,
    [phone(), opts.lang ?? "en", opts.push ?? true, opts.sms ?? true, opts.quiet?.[0] ?? null, opts.quiet?.[1] ?? null],
  );
  const id = Number(row?.id);
  for (const t of opts.devices ?? []) {
    await sql("INSERT INTO user_devices (push_token, user_id, platform) VALUES ($1, $2, 'android')", [t, id]);
  }
  return { id, phone: row?.phone as string };
}

/** The status change behind each event type, as the booking engine records it. */
const STEP: Record<BookingEventType, { from: BookingStatus | null; to: BookingStatus }> = {
  "booking.created": { from: null, to: "PENDING" },
  "booking.accepted": { from: "PENDING", to: "ACCEPTED" },
  "booking.declined": { from: "PENDING", to: "DECLINED" },
  "booking.expired": { from: "PENDING", to: "EXPIRED" },
  "booking.confirmed": { from: "ACCEPTED", to: "CONFIRMED" },
  "booking.completed": { from: "CONFIRMED", to: "COMPLETED" },
  "booking.canceled": { from: "CONFIRMED", to: "CANCELED" },
};

/** A booking event as the engine publishes it, built through the queue's own schema so fixtures cannot drift. */
export function event(
  type: BookingEventType,
  parties: { customer: number; providerUser: number },
  extra: { actor?: Actor; id?: number; eventId?: string } = {},
): BookingEventMessage {
  const id = extra.id ?? 1 + Math.floor(Math.random() * 1e9);
  return BookingEventMessage.parse({
    type,
    id,
    actor_id: parties.customer,
    customer_id: parties.customer,
    provider_id: 1,
    status: STEP[type].to,
    title: "Booking",
    body: `Booking #${id}`,
    meta: {
      event_id: extra.eventId ?? crypto.randomUUID(),
      at: new Date().toISOString(),
      provider_user_id: parties.providerUser,
      from_status: STEP[type].from,
      actor: extra.actor ?? "customer",
      service_type: "electrician",
      start_date: "2031-01-10T09:00:00.000Z",
      price_poisha: 250_000,
    },
  });
}

/** A review event as the gateway publishes it, through the queue's own schema. */
export function reviewEvent(
  type: ReviewEventType,
  parties: { customer: number; providerUser: number },
  to: ReviewSide[],
  extra: { rating?: number; reviewId?: number; bookingId?: number } = {},
): ReviewEventMessage {
  return ReviewEventMessage.parse({
    type,
    booking_id: extra.bookingId ?? 1 + Math.floor(Math.random() * 1e9),
    customer_id: parties.customer,
    provider_id: 1,
    provider_user_id: parties.providerUser,
    to,
    meta: {
      event_id: crypto.randomUUID(),
      at: new Date().toISOString(),
      service_type: "cook",
      closes_at: "2031-01-24T09:00:00.000Z",
      ...(extra.reviewId ? { review_id: extra.reviewId } : {}),
      ...(extra.rating ? { rating: extra.rating } : {}),
    },
  });
}

export async function run(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, nenv, ctx);
  return getQueueResult(batch, ctx);
}

export async function pushesTo(
  token: string,
): Promise<{ notification: { title: string; body: string }; data: Record<string, string> }[]> {
  const res = await fetch(`${nenv.FCM_API_URL}/__sim/messages?token=${encodeURIComponent(token)}`);
  return ((await res.json()) as { messages: never[] }).messages;
}

export async function smsTo(e164: string): Promise<{ sms: string }[]> {
  const res = await fetch(`${nenv.SMS_API_URL}/__sim/messages?msisdn=${e164.slice(1)}`);
  return ((await res.json()) as { messages: never[] }).messages;
}

export const deliveries = (eventId: string) =>
  sql<{
    user_id: string;
    channel: string;
    status: string;
    error: string | null;
    target_hash: string;
    attempts: number;
  }>(
    "SELECT user_id, channel, status, error, target_hash, attempts FROM notification_deliveries WHERE event_id = $1 ORDER BY id",
    [eventId],
  );

export const token = (prefix = "sim") => `${prefix}-${crypto.randomUUID()}`;
