// POST /chat/bookings/{id}/report and /block: a party reports a message (or the conversation), or blocks the other.
// Both put the conversation in front of moderators; a block also closes it for both sides. Repeating either is safe.
import { z } from "@hono/zod-openapi";
import { chatRoom } from "../../../../durable-objects/chat-room/client";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam, security } from "../shared/booking";
import { conversationFor } from "../shared/chat";

const Body = z
  .object({
    seq: z.number().int().positive().max(2_147_483_647).optional().openapi({ description: "The message reported." }),
    reason: text({ max: 500, multiline: true }).optional(),
  })
  .openapi("ChatReport");

const Answer = z
  .object({
    status: z.enum(["reported", "blocked"]),
    closed: z.boolean().openapi({ description: "Whether the conversation is now closed (always, after a block)." }),
  })
  .openapi("ChatReportAnswer");

const KINDS = {
  report: {
    operationId: "reportChat",
    summary: "Report a message or the conversation",
    description:
      "Moderators see the report with the messages around it. Reporting the same message again is the same report.",
  },
  block: {
    operationId: "blockChat",
    summary: "Block the other party",
    description:
      "Closes the conversation for both sides (read-only from now on; open sockets are told and closed) and opens a " +
      "case for support. Blocking again answers the same.",
  },
} as const;

export function registerChatReports(app: App) {
  for (const kind of ["report", "block"] as const) {
    const route = defineRoute({
      ...KINDS[kind],
      errors: [403, 404],
      method: "post",
      path: `/bookings/{id}/${kind}`,
      tags: ["chat"],
      security,
      middleware: [requireAuth()] as const,
      request: {
        params: BookingIdParam,
        body: { required: false, content: json(Body, { seq: 4, reason: "Asked me to pay outside the app." }) },
      },
      responses: {
        200: {
          description: "Filed",
          content: json(Answer, { status: kind === "block" ? "blocked" : "reported", closed: kind === "block" }),
        },
      },
    });
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const access = await conversationFor(c, id);
      const room = chatRoom(c.env, id);
      const input = { conv: access.conv, by: access.me, seq: body.seq ?? null, reason: body.reason ?? null };
      const out = kind === "block" ? await room.block(input) : await room.report(input);
      if (!out.ok) throw new ApiError("dependency_unavailable", { headers: { "Retry-After": "2" } });
      return c.json(
        { status: kind === "block" ? "blocked" : "reported", closed: kind === "block" || !access.open },
        200,
      );
    });
  }
}
