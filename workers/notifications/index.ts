// Notifications worker: booking and review events become pushes and SMS (fan-out), chat, matching and account news
// become pushes, OTP requests become SMS. Every message is acknowledged or retried on its own; what exhausts its
// retries lands in the dead-letter queue.
import { z } from "zod";
import { type LogLevel, logLine } from "../../lib/log";
import {
  AccountEventMessage,
  BookingQueueMessage,
  ChatEventMessage,
  MatchEventMessage,
  OtpSmsMessage,
} from "../../lib/messages";
import { createPool } from "../../platform/pg/driver";
import { run } from "../../platform/pg/sql";
import { accountPush } from "./account";
import { chatPush } from "./chat";
import type { NotificationsEnv } from "./env";
import { type FanoutResult, fanout } from "./fanout/fanout";
import { matchPush } from "./match";
import { type FcmConfig, ServiceAccount } from "./push/fcm";
import { sendSms } from "./sms/sslwireless";
import { FAIL_OPEN_DELIVERIES } from "./sql";
import { otpText } from "./templates";

/** What a dead letter needs to be accounted for: the event id, whatever else the body lost. */
const DeadLetter = z.object({ meta: z.object({ event_id: z.string().uuid() }) });

/** Queues cap a delay at 12 hours. */
const MAX_DELAY_S = 43_200;

/** Exponential backoff for queue retries: base·2^attempts seconds (2, 4, 8 … by default), capped at 5 minutes. */
export function backoffSeconds(attempts: number, base = 1): number {
  return Math.min(300, base * 2 ** Math.max(1, attempts));
}

type Ctx = {
  env: NotificationsEnv;
  level: LogLevel;
  pool: () => ReturnType<typeof createPool>;
  fcm: () => FcmConfig;
};

async function handleSms(message: Message, { env, level }: Ctx): Promise<void> {
  const parsed = OtpSmsMessage.safeParse(message.body);
  if (!parsed.success) {
    // A malformed message will never succeed: drop it loudly rather than poisoning the queue.
    await logLine(level, "warn", { msg: "sms message dropped", reason: "invalid", id: message.id });
    message.ack();
    return;
  }
  const otp = parsed.data;
  const result = await sendSms(env, otp.to, otpText(otp.lang, otp.code, otp.expires_in), otp.message_id);
  if (result.ok) {
    await logLine(level, "info", { msg: "sms sent", kind: "otp", message_id: otp.message_id });
    message.ack();
  } else if (result.retryable) {
    await logLine(level, "warn", {
      msg: "sms retry",
      message_id: otp.message_id,
      error: result.error,
      attempts: message.attempts,
    });
    message.retry({ delaySeconds: backoffSeconds(message.attempts, retryBase(env)) });
  } else {
    await logLine(level, "error", { msg: "sms failed", message_id: otp.message_id, error: result.error });
    message.ack();
  }
}

async function handleBookingEvent(message: Message, { env, level, pool, fcm }: Ctx): Promise<void> {
  const parsed = BookingQueueMessage.safeParse(message.body);
  if (!parsed.success) {
    await logLine(level, "warn", { msg: "event dropped", reason: "invalid", id: message.id });
    message.ack();
    return;
  }
  const event = parsed.data;
  const out = await fanout(event, {
    pool: pool(),
    fcm: fcm(),
    sms: env,
  });
  if (out.holdS > 0) {
    // Quiet hours: the same event comes back when they end; what was already sent will not repeat.
    await env.BOOKING_EVENTS.send(event, { delaySeconds: Math.min(out.holdS, MAX_DELAY_S), contentType: "json" });
  }
  await logLine(level, out.retry ? "warn" : "info", {
    msg: "event fanned out",
    type: event.type,
    event_id: event.meta.event_id,
    sent: out.sent,
    held_s: out.holdS || undefined,
    retry: out.retry || undefined,
    attempts: message.attempts,
  });
  if (out.retry) {
    message.retry({ delaySeconds: Math.max(out.retryAfterS ?? 0, backoffSeconds(message.attempts, retryBase(env))) });
  } else {
    message.ack();
  }
}

/**
 * The push-only queues (chat, account news, matching) handle a message the same way: parse it with the queue's
 * schema (a malformed one is dropped loudly), send it, log what it was and how it went (never its text), then ack
 * or retry with backoff (at least as long as a delivery another consumer holds).
 */
function pushHandler<T extends { type: string; event_id: string }>(
  schema: z.ZodType<T>,
  label: string,
  send: (e: T, c: Ctx) => Promise<FanoutResult>,
  fields: (e: T) => Record<string, unknown> = () => ({}),
) {
  return async (message: Message, c: Ctx): Promise<void> => {
    const parsed = schema.safeParse(message.body);
    if (!parsed.success) {
      await logLine(c.level, "warn", { msg: `${label} dropped`, reason: "invalid", id: message.id });
      message.ack();
      return;
    }
    const e = parsed.data;
    const out = await send(e, c);
    await logLine(c.level, out.retry ? "warn" : "info", {
      msg: label,
      type: e.type,
      event_id: e.event_id,
      ...fields(e),
      sent: out.sent,
      attempts: message.attempts,
    });
    if (out.retry) {
      message.retry({
        delaySeconds: Math.max(out.retryAfterS ?? 0, backoffSeconds(message.attempts, retryBase(c.env))),
      });
    } else {
      message.ack();
    }
  };
}

const handleChatEvent = pushHandler(ChatEventMessage, "chat push", (e, c) =>
  chatPush(e, { pool: c.pool(), fcm: c.fcm() }),
);
const handleAccountEvent = pushHandler(AccountEventMessage, "account news", (e, c) =>
  accountPush(e, { pool: c.pool(), fcm: c.fcm(), sms: c.env }),
);
const handleMatchEvent = pushHandler(
  MatchEventMessage,
  "match push",
  (e, c) => matchPush(e, { pool: c.pool(), fcm: c.fcm(), sms: c.env }),
  (e) => ({ request_id: e.request_id }),
);

/** Dead letters: the deliveries still open for that event are marked failed, so the log tells the truth. */
async function handleDeadLetter(message: Message, { level, pool }: Ctx): Promise<void> {
  const parsed = DeadLetter.safeParse(message.body);
  const eventId = parsed.success ? parsed.data.meta.event_id : undefined;
  if (eventId) await run(pool(), FAIL_OPEN_DELIVERIES, { event_id: eventId });
  await logLine(level, "error", { msg: "dead letter", event_id: eventId });
  message.ack();
}

function retryBase(env: NotificationsEnv): number {
  const n = Number(env.RETRY_BASE_S ?? 1);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

export default {
  async queue(batch, env, ctx) {
    const level = env.LOG_LEVEL ?? "info";
    let pool: ReturnType<typeof createPool> | undefined;
    // One pool per batch, a few connections wide: each new connection costs a WebSocket, a TLS handshake (Neon)
    // and a Postgres backend, so the batch's messages share them rather than open one each.
    let fcm: FcmConfig | undefined;
    const c: Ctx = {
      env,
      level,
      pool: () => (pool ??= createPool(env, { max: 3 })),
      // Parsed once per batch, and only when a booking event needs it.
      fcm: () =>
        (fcm ??= {
          serviceAccount: ServiceAccount.parse(JSON.parse(env.FCM_SERVICE_ACCOUNT)),
          apiUrl: env.FCM_API_URL,
        }),
    };
    const handle = batch.queue.endsWith("-dlq")
      ? handleDeadLetter
      : batch.queue.startsWith("sms-outbox")
        ? handleSms
        : batch.queue.startsWith("chat-events")
          ? handleChatEvent
          : batch.queue.startsWith("account-events")
            ? handleAccountEvent
            : batch.queue.startsWith("match-events")
              ? handleMatchEvent
              : handleBookingEvent;
    try {
      // Messages run side by side (the delivery log keeps them from stepping on each other), and each is acked or
      // retried on its own: one failure never re-delivers its neighbours.
      await Promise.all(
        batch.messages.map(async (message) => {
          try {
            await handle(message, c);
          } catch (err) {
            await logLine(level, "error", {
              msg: "message failed",
              queue: batch.queue,
              error: err instanceof Error ? err.name : "unknown",
            });
            message.retry({ delaySeconds: backoffSeconds(message.attempts, retryBase(env)) });
          }
        }),
      );
    } finally {
      if (pool) ctx.waitUntil(pool.end().catch(() => {}));
    }
  },
} satisfies ExportedHandler<NotificationsEnv>;
