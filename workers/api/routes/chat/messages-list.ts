// GET /chat/bookings/{id}/messages?after_seq=&limit=: the conversation in ascending seq, for either party.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { CHAT_PAGE_MAX } from "../../../../lib/chat";
import { rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { MESSAGES_PAGE, READ_MARKS } from "../../queries/chat";
import { BookingIdParam, security } from "../shared/booking";
import { ChatMessageSchema, conversationFor } from "../shared/chat";
import { queryInteger } from "../shared/params";

const Query = z.object({
  after_seq: queryInteger({ min: 0, max: 2_147_483_647 })
    .optional()
    .openapi({ description: "Only messages after this seq." }),
  limit: queryInteger({ min: 1, max: CHAT_PAGE_MAX }).default(50),
});

const Page = z
  .object({
    items: z.array(ChatMessageSchema),
    next_cursor: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Pass as after_seq for the next page; null at the end." }),
    open: z.boolean().openapi({ description: "Whether the conversation still takes messages." }),
    closes_at: z.string().datetime().openapi({ description: "When it becomes read-only (unless closed earlier)." }),
    closed_reason: z.enum(["block", "moderation"]).nullable(),
    reads: z.array(z.object({ user_id: z.number().int(), seq: z.number().int() })).openapi({
      description: "How far each party has read.",
    }),
  })
  .openapi("ChatPage");

const route = defineRoute({
  operationId: "listChatMessages",
  errors: [403, 404],
  method: "get",
  path: "/bookings/{id}/messages",
  tags: ["chat"],
  summary: "The conversation's messages, oldest first",
  security,
  middleware: [requireAuth()] as const,
  request: { params: BookingIdParam, query: Query },
  responses: {
    200: {
      description: "A page of messages in ascending seq",
      content: json(Page, {
        items: [
          {
            seq: 1,
            sender_id: 12,
            text: "আমি ১০টায় আসব",
            redacted: false,
            client_id: "m-1",
            created_at: "2026-12-02T04:00:00.000Z",
          },
        ],
        next_cursor: null,
        open: true,
        closes_at: "2026-12-12T06:00:00.000Z",
        closed_reason: null,
        reads: [{ user_id: 12, seq: 1 }],
      }),
    },
  },
});

export function registerListChatMessages(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const access = await conversationFor(c, id);
    const reader = pgReader(c.env, `chat:${id}`);
    const [found, reads] = await Promise.all([
      rows(reader, MESSAGES_PAGE, { booking_id: id, after_seq: q.after_seq ?? 0, limit: q.limit }),
      rows(reader, READ_MARKS, { booking_id: id }),
    ]);
    const page = found.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json(
      {
        items: page.map((m) => ({ ...m, created_at: m.created_at.toISOString() })),
        next_cursor: found.length > q.limit && last ? last.seq : null,
        open: access.open,
        closes_at: access.closesAt.toISOString(),
        closed_reason: access.closedReason,
        reads,
      },
      200,
    );
  });
}
