// GET /chat/bookings/{id}/ws?ticket=…&after_seq=…: upgrades to the conversation's WebSocket. The ticket is checked
// and spent before the handshake: a spent, expired or foreign ticket gets a JSON error and no socket.
import { z } from "@hono/zod-openapi";
import { chatRoom } from "../../../../durable-objects/chat-room/client";
import { ApiError } from "../../../../lib/errors";
import { spendTicket } from "../../chat/tickets";
import { type App, defineRoute } from "../../openapi";
import { BookingIdParam } from "../shared/booking";
import { queryInteger } from "../shared/params";

const Query = z.object({
  ticket: z.string().max(128).openapi({ description: "From POST /chat/bookings/{id}/ticket (single use, 30 s)." }),
  after_seq: queryInteger({ min: 0, max: 2_147_483_647 })
    .optional()
    .openapi({ description: "Resume: the socket first receives every message after this seq, in order." }),
});

const route = defineRoute({
  operationId: "openChatSocket",
  errors: [401, 403, 404],
  method: "get",
  path: "/bookings/{id}/ws",
  tags: ["chat"],
  summary: "The conversation's WebSocket",
  description:
    'Send `Upgrade: websocket`. Client frames: `{type:"send", client_id, text}`, `{type:"read", seq}`, ' +
    '`{type:"ping"}`. Server frames: `{type:"message", seq, sender_id, text, redacted, client_id, created_at, ' +
    "hint?}` (every new message, to both sides, once it is stored; `hint` to its sender when contact details were " +
    'hidden), `{type:"read", user_id, seq}`, `{type:"error", code, message, client_id?, retry_after_s?}`, ' +
    '`{type:"closed", reason}`, `{type:"pong"}`. A resend with the same client_id is answered with the stored ' +
    "message (same seq), never stored twice. 401: the ticket is unknown, spent or expired; 403: it was issued for " +
    "another booking.",
  request: { params: BookingIdParam, query: Query },
  responses: {
    101: { description: "Switching Protocols: the socket is open" },
  },
});

export function registerChatSocket(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("invalid_input", { message: "websocket_required" });
    }
    const spent = await spendTicket(c.var.services.redis(), q.ticket);
    if (!spent) throw new ApiError("unauthenticated", { message: "chat_ticket_invalid" });
    if (spent.conv.bookingId !== id) throw new ApiError("forbidden", { message: "chat_ticket_foreign" });
    const url = new URL(`https://chat.internal/ws`);
    if (q.after_seq !== undefined) url.searchParams.set("after_seq", String(q.after_seq));
    const headers = new Headers({
      upgrade: "websocket",
      "x-chat-socket": JSON.stringify({ ...spent.me, bookingId: id, conv: spent.conv }),
    });
    const res = await chatRoom(c.env, id).fetch(url, { headers });
    if (res.status !== 101 || !res.webSocket) {
      throw new ApiError("dependency_unavailable", { headers: { "Retry-After": "2" } });
    }
    // A fresh response: the middleware after this handler sets headers, and the object's answer is immutable.
    return new Response(null, { status: 101, webSocket: res.webSocket });
  });
}
