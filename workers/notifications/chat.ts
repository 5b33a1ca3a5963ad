// Chat pushes: a message that reached a participant with no socket open (collapsed per conversation by its object),
// or a moderator's warning. Push only: chat never goes out by SMS. Quiet hours skip a message push (the message
// waits in the app); a warning is sent regardless. The delivery log makes each push notify-once.
import { sha256Hex } from "../../lib/hash";
import type { ChatEventMessage } from "../../lib/messages";
import { type Runner, rows, run } from "../../platform/pg/sql";
import { claim, type FanoutResult, record } from "./fanout/fanout";
import { quietFor } from "./fanout/policy";
import { type FcmConfig, sendPush } from "./push/fcm";
import { FORGET_DEVICE, RECIPIENTS } from "./sql";
import { chatText } from "./templates";

export async function chatPush(
  e: ChatEventMessage,
  deps: { pool: Runner; fcm: FcmConfig; now?: Date },
): Promise<FanoutResult> {
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  const [user] = await rows(deps.pool, RECIPIENTS, { ids: [e.recipient_id] });
  if (!user || user.devices.length === 0) return result;
  if (e.type === "chat.message" && (!user.notify_push || quietFor(user, deps.now ?? new Date()) > 0)) return result;
  const text = chatText(e, user.lang);
  await Promise.all(
    user.devices.map(async (token) => {
      const d = {
        eventId: e.event_id,
        eventType: e.type,
        bookingId: e.booking_id,
        userId: user.id,
        channel: "push" as const,
        targetHash: await sha256Hex(`push:${token}`),
      };
      const c = await claim(deps.pool, d);
      if (c.kind === "sent") return;
      if (c.kind === "busy") {
        result.retry = true;
        result.retryAfterS = Math.max(result.retryAfterS ?? 0, c.waitS);
        return;
      }
      const r = await sendPush(deps.fcm, {
        token,
        title: text.title,
        body: text.body,
        data: {
          type: e.type,
          booking_id: String(e.booking_id),
          event_id: e.event_id,
          ...(e.type === "chat.message" ? { seq: String(e.last_seq) } : {}),
        },
        // One notification per conversation on the device: a newer push replaces the older.
        collapseId: `chat-${e.booking_id}`,
      });
      if (r.kind === "sent") {
        await record(deps.pool, d, "sent", null);
        result.sent++;
        return;
      }
      if (r.kind === "dead_token") await run(deps.pool, FORGET_DEVICE, { push_token: token });
      await record(deps.pool, d, "failed", r.error);
      if (r.kind === "retry") result.retry = true;
    }),
  );
  return result;
}
