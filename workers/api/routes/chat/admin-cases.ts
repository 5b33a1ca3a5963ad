// GET /chat/admin/cases?status=&cursor=: the moderation queue, newest first. Admins only; lists no message text.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { ChatCaseStatus } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { CASES } from "../../queries/chat";
import { security } from "../shared/booking";
import { queryInteger } from "../shared/params";
import { ChatCaseSchema, caseView } from "./schemas";

const Query = z.object({
  status: ChatCaseStatus.default("open"),
  limit: queryInteger({ min: 1, max: 50 }).default(20),
  cursor: z.string().max(256).optional().openapi({ description: "next_cursor of the previous page" }),
});

const route = defineRoute({
  operationId: "listChatCases",
  errors: [403],
  method: "get",
  path: "/admin/cases",
  tags: ["chat"],
  summary: "Admin: the moderation queue",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "A page of cases",
      content: json(z.object({ items: z.array(ChatCaseSchema), next_cursor: z.string().nullable() }), {
        items: [
          {
            id: 7,
            booking_id: 42,
            status: "open",
            resolution: null,
            opened_at: "2026-12-02T04:00:00.000Z",
            resolved_at: null,
            reports: 2,
            kinds: ["contact_sharing", "report"],
          },
        ],
        next_cursor: null,
      }),
    },
  },
});

const BeforeId = z.tuple([idValue]);

export function registerChatCases(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const scope = `chat-cases:${q.status}`;
    const secret = c.var.config.OTP_HMAC_SECRET;
    const position = q.cursor ? BeforeId.safeParse(await openCursor(secret, scope, q.cursor)) : undefined;
    if (position && !position.success) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    }
    const found = await rows(pgReader(c.env, "chat-cases"), CASES, {
      status: q.status,
      before_id: position?.success ? position.data[0] : null,
      limit: q.limit,
    });
    const page = found.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json(
      {
        items: page.map(caseView),
        next_cursor: found.length > q.limit && last ? await signCursor(secret, scope, [last.id]) : null,
      },
      200,
    );
  });
}
