// What the gateway hands the conversation's object, and what the object answers.
import type { ChatErrorCode, ChatMessage } from "../../lib/chat";
import type { Lang } from "../../lib/enums";

export type ChatRole = "customer" | "provider";

/** The booking's two parties, read by the gateway when it authorized the caller. */
export interface Conversation {
  bookingId: number;
  customerId: number;
  providerUserId: number;
}

/** Who is acting: one of the two parties, in the language they read. */
export interface Participant {
  userId: number;
  role: ChatRole;
  lang: Lang;
}

export interface SendInput {
  conv: Conversation;
  sender: Participant;
  clientId: string;
  /** As typed (clean and NFC); the object redacts it before anything is stored. */
  text: string;
}

export type SendOutcome =
  | { ok: true; message: ChatMessage; duplicate: boolean; hint?: string }
  | {
      ok: false;
      code: Extract<ChatErrorCode, "conversation_closed" | "rate_limited" | "dependency_unavailable">;
      retryAfterS?: number;
    }
  | { ok: false; code: "not_found" };

export interface ReportInput {
  conv: Conversation;
  by: Participant;
  /** The message reported, if one. */
  seq: number | null;
  reason: string | null;
}

export type ModerationOutcome = { ok: true; caseId: number } | { ok: false; code: "dependency_unavailable" };

/** The socket's identity, kept with it through hibernation (serializeAttachment). */
export interface SocketTag extends Participant {
  bookingId: number;
}
