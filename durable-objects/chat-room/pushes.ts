// Pushes for a participant with no socket open: messages within the collapse window become one push per
// recipient, kept in the object's storage until the queue takes it (an eviction or a refused send loses nothing).
import { type ChatMessage, preview } from "../../lib/chat";
import type { ChatEventMessage } from "../../lib/messages";
import { otherParty } from "./parties";
import type { Conversation, Participant } from "./types";

/** How long to wait before trying a push again when the queue refused it. */
const PUSH_RETRY_MS = 30_000;
const KEY = "pushes";

/** A push waiting out the collapse window for one absent participant. */
interface PendingPush {
  recipientId: number;
  senderRole: Participant["role"];
  count: number;
  lastSeq: number;
  preview: string;
}

/** Adds new messages to the pending pushes of recipients with no socket here, and arms the alarm. */
export async function collectPushes(
  ctx: DurableObjectState,
  conv: Conversation,
  fresh: ChatMessage[],
  collapseMs: number,
): Promise<void> {
  const pushes = (await ctx.storage.get<PendingPush[]>(KEY)) ?? [];
  let changed = false;
  for (const m of fresh) {
    const recipient = otherParty(conv, m.sender_id);
    if (ctx.getWebSockets(`u:${recipient}`).length > 0) continue;
    changed = true;
    const senderRole = m.sender_id === conv.customerId ? "customer" : "provider";
    const p = pushes.find((x) => x.recipientId === recipient);
    if (p) Object.assign(p, { count: p.count + 1, lastSeq: m.seq, preview: preview(m.text), senderRole });
    else pushes.push({ recipientId: recipient, senderRole, count: 1, lastSeq: m.seq, preview: preview(m.text) });
  }
  if (!changed) return;
  await ctx.storage.put(KEY, pushes);
  if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + collapseMs);
}

/** The alarm: one event per recipient still absent; what the queue refused waits for the next alarm. */
export async function sendPushes(ctx: DurableObjectState, conv: Conversation, queue: Queue): Promise<void> {
  const pending = (await ctx.storage.get<PendingPush[]>(KEY)) ?? [];
  const left: PendingPush[] = [];
  for (const p of pending) {
    if (ctx.getWebSockets(`u:${p.recipientId}`).length > 0) continue;
    const message: ChatEventMessage = {
      type: "chat.message",
      event_id: crypto.randomUUID(),
      booking_id: conv.bookingId,
      recipient_id: p.recipientId,
      sender_role: p.senderRole,
      count: p.count,
      last_seq: p.lastSeq,
      preview: p.preview,
      at: new Date().toISOString(),
    };
    try {
      await queue.send(message, { contentType: "json" });
    } catch {
      left.push(p);
    }
  }
  if (left.length > 0) {
    await ctx.storage.put(KEY, left);
    await ctx.storage.setAlarm(Date.now() + PUSH_RETRY_MS);
  } else {
    await ctx.storage.delete(KEY);
  }
}
