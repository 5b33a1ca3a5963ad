// POST /chat/bookings/{id}/messages: sends one message without a socket (the same path a socket's send takes).
import { z } from "@hono/zod-openapi";
import { chatRoom } from "../../../../durable-objects/chat-room/client";
import { CHAT_MAX_CHARS, CLIENT_ID, codePoints, messageText } from "../../../../lib/chat";
import { ApiError } from "../../../../lib/errors";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json, responseHeaders } from "../../openapi";
import { BookingIdParam, security } from "../shared/booking";
import { ChatMessageSchema, conversationFor } from "../shared/chat";

const Body = z
  .object({
    client_id: z.string().regex(CLIENT_ID, { message: "client_id" }).openapi({
      description:
        "Your id for this message (1–64 of A–Z a–z 0–9 _ . : -): a resend with the same id is the same message.",
      example: "m-7f3c2a",
    }),
    text: z
      .string()
      .max(20_000)
      .openapi({ description: `1 to ${CHAT_MAX_CHARS} characters (longer: 413).` }),
  })
  .openapi("ChatSend");

const Sent = ChatMessageSchema.extend({
  hint: z
    .string()
    .optional()
    .openapi({ description: "To the sender, in their language, when contact details were hidden." }),
}).openapi("ChatSent");

const route = defineRoute({
  operationId: "sendChatMessage",
  errors: [403, 404, 409, 429],
  method: "post",
  path: "/bookings/{id}/messages",
  tags: ["chat"],
  summary: "Send a message",
  description:
    "Phone numbers, emails, links, handles and wallet numbers are replaced by [•••] before the message is stored " +
    "or delivered; the sender sees that version too, with a hint. 409 when the conversation is closed (read-only: " +
    "7 days after the booking ended or was cancelled, or after a block); 429 past the per-minute limit.",
  security,
  middleware: [requireAuth()] as const,
  request: {
    params: BookingIdParam,
    body: { required: true, content: json(Body, { client_id: "m-7f3c2a", text: "আমি গেটে আছি, নম্বর ০১৭১১-২২৩৩৪৪" }) },
  },
  responses: {
    201: {
      description: "Stored and delivered (a resend of the same client_id answers the stored message)",
      headers: responseHeaders("IdempotentReplayed"),
      content: json(Sent, {
        seq: 3,
        sender_id: 12,
        text: "আমি গেটে আছি, নম্বর [•••]",
        redacted: true,
        client_id: "m-7f3c2a",
        created_at: "2026-12-02T04:00:00.000Z",
        hint: "Phone numbers, emails, links and wallet numbers are hidden in chat.",
      }),
    },
  },
});

export function registerSendChatMessage(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const typed = messageText(body.text);
    if (typed === undefined) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("text", "message_text")]) });
    }
    if (codePoints(typed) > CHAT_MAX_CHARS) {
      throw new ApiError("payload_too_large", {
        message: "message_too_long",
        details: { kind: "limit", name: "message_chars", limit: CHAT_MAX_CHARS },
      });
    }
    const access = await conversationFor(c, id);
    const out = await chatRoom(c.env, id).send({
      conv: access.conv,
      sender: access.me,
      clientId: body.client_id,
      text: typed,
    });
    if (!out.ok) {
      switch (out.code) {
        case "not_found":
          throw new ApiError("not_found");
        case "conversation_closed":
          throw new ApiError("conflict", { message: "conversation_closed" });
        case "rate_limited":
          throw new ApiError("rate_limited", {
            headers: { "Retry-After": String(out.retryAfterS ?? 60) },
            details: { kind: "limit", name: "messages_per_minute", limit: c.var.config.CHAT_MESSAGES_PER_MIN },
          });
        case "dependency_unavailable":
          throw new ApiError("dependency_unavailable", { headers: { "Retry-After": String(out.retryAfterS ?? 2) } });
      }
    }
    if (out.duplicate) c.header("Idempotent-Replayed", "true");
    return c.json({ ...out.message, ...(out.hint ? { hint: out.hint } : {}) }, 201);
  });
}
