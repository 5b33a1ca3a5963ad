// The other party of a conversation.
import type { Conversation } from "./types";

export function otherParty(conv: Conversation, userId: number): number {
  return userId === conv.customerId ? conv.providerUserId : conv.customerId;
}
