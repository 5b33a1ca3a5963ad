// Shared by the /chat endpoints: who may use a booking's conversation, and the message as the API shows it.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Conversation, Participant } from "../../../../durable-objects/chat-room/client";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { caller } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { CONVERSATION_ACCESS } from "../../queries/chat";

export const ChatMessageSchema = z
  .object({
    seq: z.number().int().positive().openapi({ description: "Position in the conversation: 1, 2, 3 …" }),
    sender_id: z.number().int(),
    text: z.string().openapi({ description: "As stored and delivered: contact details replaced by [•••]." }),
    redacted: z.boolean().openapi({ description: "Whether contact details were removed from this message." }),
    client_id: z.string(),
    created_at: z.string().datetime(),
  })
  .openapi("ChatMessage");

export interface ConversationAccess {
  conv: Conversation;
  me: Participant;
  /** When the conversation stops taking messages (7 days after the booking ends or is cancelled). */
  closesAt: Date;
  closedReason: "block" | "moderation" | null;
  open: boolean;
}

/**
 * The caller's place in a booking's conversation: its customer or its provider. Anyone else, operators included
 * (they read conversations only through a moderation case), gets 404, as if there were no such booking.
 */
export async function conversationFor(c: Context<AppEnv>, bookingId: number): Promise<ConversationAccess> {
  const me = caller(c);
  const row = await first(pgReader(c.env, `chat:${bookingId}`), CONVERSATION_ACCESS, {
    booking_id: bookingId,
    user_id: me.userId,
    open_days: c.var.config.CHAT_OPEN_DAYS_AFTER,
  });
  const role = !row
    ? undefined
    : row.customer_id === me.userId
      ? "customer"
      : row.provider_user_id === me.userId
        ? "provider"
        : undefined;
  if (!row || !role) throw new ApiError("not_found");
  if (row.caller_suspended) throw new ApiError("forbidden", { message: "account_suspended" });
  return {
    conv: { bookingId, customerId: row.customer_id, providerUserId: row.provider_user_id },
    me: { userId: me.userId, role, lang: c.var.lang },
    closesAt: row.closes_at,
    closedReason: row.closed_reason,
    open: row.closed_at === null && row.closes_at.getTime() > Date.now(),
  };
}
