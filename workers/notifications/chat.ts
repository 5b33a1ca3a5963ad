// Chat pushes: a message that reached a participant with no socket open (collapsed per conversation by its object),
// or a moderator's warning. Push only: chat never goes out by SMS. Quiet hours skip a message push (the message
// waits in the app); a warning is sent regardless. The delivery log makes each push notify-once.
import type { ChatEventMessage } from "../../lib/messages";
import { type Runner, rows } from "../../platform/pg/sql";
import type { FanoutResult } from "./fanout/fanout";
import { quietFor } from "./fanout/policy";
import { pushDevices } from "./push/deliver";
import type { FcmConfig } from "./push/fcm";
import { RECIPIENTS } from "./sql";
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
  await pushDevices(
    deps,
    {
      eventId: e.event_id,
      eventType: e.type,
      bookingId: e.booking_id,
      userId: user.id,
      devices: user.devices,
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
    },
    result,
  );
  return result;
}
