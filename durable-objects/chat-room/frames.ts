// The socket's wire format: frames as JSON, stored rows as messages, errors in the socket's language.
import type { z } from "zod";
import type { ChatMessage, ServerFrame } from "../../lib/chat";
import type { Lang } from "../../lib/enums";
import { messages as catalogue, type MessageKey } from "../../lib/i18n";
import type { MessageRow } from "./sql";

export const text = (key: MessageKey, lang: Lang) => catalogue[key][lang];

export function wire(r: z.infer<typeof MessageRow>): ChatMessage {
  return {
    seq: r.seq,
    sender_id: r.sender_id,
    text: r.text,
    redacted: r.redacted,
    client_id: r.client_id,
    created_at: r.created_at.toISOString(),
  };
}

export const frame = (f: ServerFrame) => JSON.stringify(f);

export function errorFrame(
  code: Extract<ServerFrame, { type: "error" }>["code"],
  key: MessageKey,
  lang: Lang,
  extra: { client_id?: string; retry_after_s?: number } = {},
) {
  return frame({ type: "error", code, message: text(key, lang), ...extra });
}
