// Notifications worker: acks booking events (fan-out lands with the notifications issue) and sends OTP SMS.
import { z } from "zod";
import { logLine } from "../../lib/log";
import type { NotificationsEnv } from "./env";
import { sendSms } from "./sms/sslwireless";
import { otpText } from "./sms/templates";

const OtpMessage = z.object({
  type: z.literal("sms.otp"),
  message_id: z.string().uuid(),
  to: z.string().regex(/^\+8801[3-9]\d{8}$/),
  lang: z.enum(["bn", "en"]),
  code: z.string().regex(/^\d{6}$/),
  expires_in: z.number().int().positive(),
});

/** Exponential backoff for queue retries: 2, 4, 8 … seconds, capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

async function handleSms(message: Message, env: NotificationsEnv): Promise<void> {
  const level = env.LOG_LEVEL ?? "info";
  const parsed = OtpMessage.safeParse(message.body);
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
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  } else {
    await logLine(level, "error", { msg: "sms failed", message_id: otp.message_id, error: result.error });
    message.ack();
  }
}

async function handleBookingEvent(message: Message, env: NotificationsEnv): Promise<void> {
  const body = message.body as { type?: unknown; meta?: { event_id?: unknown } } | null;
  await logLine(env.LOG_LEVEL ?? "info", "info", {
    msg: "event received",
    type: typeof body?.type === "string" ? body.type : "unknown",
    event_id: typeof body?.meta?.event_id === "string" ? body.meta.event_id : undefined,
    attempts: message.attempts,
  });
  message.ack();
}

export default {
  async queue(batch, env) {
    const handle = batch.queue.startsWith("sms-outbox") ? handleSms : handleBookingEvent;
    // Each message is acked or retried on its own: one failure never re-delivers its neighbours.
    for (const message of batch.messages) {
      try {
        await handle(message, env);
      } catch (err) {
        await logLine(env.LOG_LEVEL ?? "info", "error", {
          msg: "message failed",
          queue: batch.queue,
          error: err instanceof Error ? err.name : "unknown",
        });
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }
  },
} satisfies ExportedHandler<NotificationsEnv>;
