// POST /chat/bookings/{id}/ticket: a single-use, 30-second ticket that opens the conversation's WebSocket.
import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { issueTicket } from "../../chat/tickets";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam, security } from "../shared/booking";
import { conversationFor } from "../shared/chat";

const Ticket = z
  .object({
    ticket: z.string().openapi({ description: "Pass as ?ticket= to GET /chat/bookings/{id}/ws; opens one socket." }),
    expires_at: z.string().datetime(),
  })
  .openapi("ChatTicket");

const route = defineRoute({
  operationId: "createChatTicket",
  errors: [403, 404],
  method: "post",
  path: "/bookings/{id}/ticket",
  tags: ["chat"],
  summary: "A ticket for the conversation's WebSocket",
  description:
    "For the booking's customer or provider only (anyone else: 404). The ticket lives 30 s and opens one socket; " +
    "ask for a new one to reconnect. Tokens never go in URLs: the ticket does.",
  security,
  middleware: [requireAuth()] as const,
  request: { params: BookingIdParam },
  responses: {
    201: {
      description: "A fresh ticket",
      content: json(Ticket, {
        ticket: "kmt_3q2-7wLwq5fQ0y1m6xT1b9hH0qQm2cQ8aQm3o3Vw0s4",
        expires_at: "2026-12-02T04:00:30.000Z",
      }),
    },
  },
});

export function registerChatTicket(app: App) {
  app.openapi(route, async (c) => {
    const access = await conversationFor(c, c.req.valid("param").id);
    const t = await issueTicket(c.var.services.redis(), access.conv, access.me, c.var.config.CHAT_TICKET_TTL_S);
    return c.json({ ticket: t.ticket, expires_at: t.expiresAt.toISOString() }, 201);
  });
}
