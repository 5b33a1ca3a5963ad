// Masked chat's pure rules: the wire frames, the fixed limits, the per-sender rate window and the push preview.
import { z } from "zod";
import { isCleanText } from "./input";

/** What a participant may type into one message, in code points. */
export const CHAT_MAX_CHARS = 2_000;
/** The most messages one page (REST) or one resume (WebSocket) carries. */
export const CHAT_PAGE_MAX = 100;
/** A socket's frame larger than this is refused before it is parsed (UTF-8 bytes; 2 000 Bangla characters fit). */
export const CHAT_MAX_FRAME_BYTES = 16_384;
/** Characters of the redacted text a push preview shows. */
export const PREVIEW_CHARS = 80;

/** A client's id for one message: a resend with the same id is the same message. */
export const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A message's text as typed: clean, NFC, trimmed, not empty. Length is checked after (413, not 400). */
export function messageText(s: string): string | undefined {
  if (!isCleanText(s, true)) return undefined;
  const t = s.normalize("NFC").trim();
  return t.length > 0 ? t : undefined;
}

export const codePoints = (s: string) => [...s].length;

/** Frames a client sends on the socket. */
export const ClientFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("send"), client_id: z.string(), text: z.string() }),
  z.object({ type: z.literal("read"), seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** A stored message as both sides see it (only the redacted text exists). */
export interface ChatMessage {
  seq: number;
  sender_id: number;
  text: string;
  redacted: boolean;
  client_id: string;
  created_at: string;
}

/** Error codes a socket's error frame carries: the HTTP codes' names where one exists. */
export const ChatErrorCode = z.enum([
  "invalid_input",
  "payload_too_large",
  "rate_limited",
  "conversation_closed",
  "dependency_unavailable",
  "internal",
]);
export type ChatErrorCode = z.infer<typeof ChatErrorCode>;

export type ServerFrame =
  | ({ type: "message"; hint?: string } & ChatMessage)
  | { type: "read"; user_id: number; seq: number }
  | { type: "error"; code: ChatErrorCode; message: string; client_id?: string; retry_after_s?: number }
  | { type: "closed"; reason: string }
  | { type: "pong" };

/**
 * A sliding one-minute window per sender: `take` answers 0 when a message may go, or the seconds until one may.
 * Kept in the conversation's object, so it counts per conversation; it starts empty when the object is evicted.
 */
export class RateWindow {
  private readonly sent = new Map<number, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  take(sender: number, now: number): number {
    const from = now - this.windowMs;
    const times = (this.sent.get(sender) ?? []).filter((t) => t > from);
    if (times.length >= this.perMinute) {
      this.sent.set(sender, times);
      return Math.max(1, Math.ceil(((times[0] as number) + this.windowMs - now) / 1000));
    }
    times.push(now);
    this.sent.set(sender, times);
    return 0;
  }
}

/** The first characters of a redacted message for a push, on one line. */
export function preview(text: string, max = PREVIEW_CHARS): string {
  const line = text.replace(/\s+/g, " ").trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("")}…`;
}
