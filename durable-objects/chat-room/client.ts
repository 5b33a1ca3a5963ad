// The only way the rest of the code reaches a conversation's object: one per booking, named after it.
import type { ChatRoom } from "./chat-room";

export type { Conversation, ModerationOutcome, Participant, SendOutcome } from "./types";

export function chatRoom(env: Env, bookingId: number): DurableObjectStub<ChatRoom> {
  const ns = env.CHAT_ROOMS;
  return ns.get(ns.idFromName(`chat:${bookingId}`));
}
/** The window rule and the message row, shared with the gateway's reads so both say the same. */
export { CLOSES_AT, MessageRow } from "./sql";
