// POST /provider/reviews/{id}/reply: the provider's public answer to a review of them: written once, then editable
// for REVIEW_REPLY_EDIT_H (48 h by default) after it was first written. Contact details are taken out.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { REVIEW_TEXT_MAX, replyOpen } from "../../../../lib/review-policy";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { REVIEW_PARTIES, SAVE_REPLY } from "../../queries/reviews";
import { pathId } from "../shared/params";
import { REVIEW_EXAMPLE, ReviewSchema, redacted, reviewFor } from "../shared/reviews";

const route = defineRoute({
  operationId: "replyToReview",
  errors: [403, 404, 409],
  method: "post",
  path: "/reviews/{id}/reply",
  tags: ["provider"],
  summary: "Provider: reply to a review of you (once; editable for 48 h)",
  description:
    "The reviewed provider's public reply to a published customer review. Sending it again within " +
    "REVIEW_REPLY_EDIT_H of the first reply edits it (safe to retry); after that, 409.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: z.object({ id: pathId }),
    body: {
      required: true,
      content: json(
        z.object({ text: text({ min: 1, max: REVIEW_TEXT_MAX, multiline: true }) }).openapi("ReviewReplyInput"),
        {
          text: "Thank you! It was a pleasure cooking for your family.",
        },
      ),
    },
  },
  responses: {
    200: {
      description: "The review with its reply",
      content: json(ReviewSchema, {
        ...REVIEW_EXAMPLE,
        published_at: "2027-01-11T09:00:00.000Z",
        reply: { text: "Thank you!", created_at: "2027-01-11T10:00:00.000Z", edited_at: null },
      }),
    },
  },
});

export function registerReviewReply(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c);
    const db = c.var.services.sql();
    const found = await first(db, REVIEW_PARTIES, { review_id: id });
    const r = reviewFor(found, me.userId, me.role);
    if (r.side !== "provider" || r.row.review.author_role !== "customer") throw new ApiError("forbidden");
    const review = r.row.review;
    if (review.published_at === null || review.hidden) {
      throw new ApiError("conflict", { message: "review_not_published" });
    }
    const cfg = c.var.config;
    if (!replyOpen(r.row.reply_at, new Date(), cfg.REVIEW_REPLY_EDIT_H)) {
      throw new ApiError("conflict", { message: "reply_closed" });
    }
    const body = redacted(c.req.valid("json").text).body ?? "";
    const saved = await first(db, SAVE_REPLY, { review_id: id, body, edit_s: cfg.REVIEW_REPLY_EDIT_H * 3_600 });
    // The edit period ran out between the read and the write.
    if (!saved) throw new ApiError("conflict", { message: "reply_closed" });
    return c.json(saved.review, 200);
  });
}
