// GET /chat/admin/cases/{id}: one case, its reports, and the messages around what was reported. Admins read a
// conversation only this way, and every read is recorded in admin_audit (in the same statement as the read).
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { first, rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { CASE_BY_ID, CASE_CONTEXT, CASE_REPORTS } from "../../queries/chat";
import { security } from "../shared/booking";
import { ChatMessageSchema } from "../shared/chat";
import { CaseIdParam, ChatCaseSchema, caseView } from "./schemas";

/** Messages either side of each reported one, and at most this many in all. */
const CONTEXT = 10;
const CONTEXT_MAX = 200;

const Detail = ChatCaseSchema.extend({
  customer_id: z.number().int(),
  provider_user_id: z.number().int(),
  reports: z.number().int(),
  filed: z.array(
    z.object({
      kind: z.string(),
      reporter_id: z.number().int().nullable().openapi({ description: "null: filed by the system" }),
      subject_id: z.number().int(),
      seq: z.number().int().nullable(),
      reason: z.string().nullable(),
      created_at: z.string().datetime(),
    }),
  ),
  messages: z.array(ChatMessageSchema),
}).openapi("ChatCaseDetail");

const route = defineRoute({
  operationId: "getChatCase",
  errors: [403, 404],
  method: "get",
  path: "/admin/cases/{id}",
  tags: ["chat"],
  summary: "Admin: a case with the reported context",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: CaseIdParam },
  responses: { 200: { description: "The case", content: json(Detail) } },
});

export function registerChatCase(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const pool = c.var.services.pool();
    const found = await first(pool, CASE_BY_ID, { case_id: id });
    if (!found) throw new ApiError("not_found");
    const [filed, messages] = await Promise.all([
      rows(pool, CASE_REPORTS, { case_id: id }),
      rows(pool, CASE_CONTEXT, {
        case_id: id,
        booking_id: found.booking_id,
        admin_id: caller(c).userId,
        context: CONTEXT,
        limit: CONTEXT_MAX,
      }),
    ]);
    return c.json(
      {
        ...caseView(found),
        customer_id: found.customer_id,
        provider_user_id: found.provider_user_id,
        filed: filed.map((r) => ({ ...r, created_at: r.created_at.toISOString() })),
        messages: messages.map((m) => ({ ...m, created_at: m.created_at.toISOString() })),
      },
      200,
    );
  });
}
