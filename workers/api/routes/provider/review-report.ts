// POST /provider/reviews/{id}/report: either party of the booking reports a published review to the admins, once
// each (sending it again answers the same report). A report puts a review an admin had kept back in the queue.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { REPORT_REVIEW, REVIEW_PARTIES } from "../../queries/reviews";
import { pathId } from "../shared/params";
import { reviewFor } from "../shared/reviews";

const ReportSchema = z
  .object({ review_id: z.number().int(), reported_at: z.string().datetime() })
  .openapi("ReviewReport");

const route = defineRoute({
  operationId: "reportReview",
  errors: [403, 404, 409],
  method: "post",
  path: "/reviews/{id}/report",
  tags: ["provider"],
  summary: "Report a review (either party of its booking)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: z.object({ id: pathId }),
    body: {
      required: true,
      content: json(z.object({ reason: text({ min: 1, max: 500, multiline: true }) }).openapi("ReviewReportInput"), {
        reason: "This review is about a different job.",
      }),
    },
  },
  responses: {
    200: {
      description: "The report (the same one when sent again)",
      content: json(ReportSchema, { review_id: 311, reported_at: "2027-01-12T07:30:00.000Z" }),
    },
  },
});

export function registerReviewReport(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c);
    const db = c.var.services.sql();
    const r = reviewFor(await first(db, REVIEW_PARTIES, { review_id: id }), me.userId, me.role);
    if (r.side === null) throw new ApiError("forbidden");
    if (r.row.review.published_at === null) throw new ApiError("conflict", { message: "review_not_published" });
    const reported = await first(db, REPORT_REVIEW, {
      review_id: id,
      reporter_id: me.userId,
      reason: c.req.valid("json").reason,
    });
    if (!reported) throw new Error("report answered nothing");
    return c.json({ review_id: id, reported_at: reported.reported_at.toISOString() }, 200);
  });
}
