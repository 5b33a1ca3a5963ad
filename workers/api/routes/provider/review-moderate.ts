// POST /provider/reviews/{id}/moderate: an admin decides a review: hide it (kept, never deleted, with the reason; it
// stops counting and the provider's aggregates are recomputed in the same transaction) or keep it up. Both are in
// admin_audit. Deciding the same again answers the same.
import { z } from "@hono/zod-openapi";
import { ModerationDecision } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { HIDE_REVIEW, KEEP_REVIEW, REVIEW_PARTIES } from "../../queries/reviews";
import { announce } from "../../reviews/announce";
import { pathId } from "../shared/params";
import { REVIEW_EXAMPLE, ReviewSchema } from "../shared/reviews";

const Body = z
  .object({
    decision: ModerationDecision,
    reason: text({ min: 1, max: 500, multiline: true }).optional().openapi({ description: "Required to hide." }),
  })
  .refine((b) => b.decision !== "hide" || b.reason !== undefined, { message: "required", path: ["reason"] })
  .openapi("ModerationInput");

const route = defineRoute({
  operationId: "moderateReview",
  errors: [403, 404, 409],
  method: "post",
  path: "/reviews/{id}/moderate",
  tags: ["provider"],
  summary: "Admin: hide a published review (with a reason) or keep it",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: z.object({ id: pathId }),
    body: {
      required: true,
      content: json(Body, { decision: "hide", reason: "Shares a phone number to take the job off the platform." }),
    },
  },
  responses: {
    200: {
      description: "The review after the decision",
      content: json(ReviewSchema, { ...REVIEW_EXAMPLE, published_at: "2027-01-11T09:00:00.000Z", hidden: true }),
    },
  },
});

export function registerReviewModerate(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { decision, reason } = c.req.valid("json");
    const admin = caller(c).userId;
    const db = c.var.services.sql();
    const found = await first(db, REVIEW_PARTIES, { review_id: id });
    if (!found) throw new ApiError("not_found");
    if (found.review.published_at === null) throw new ApiError("conflict", { message: "review_not_published" });
    if (decision === "keep") {
      const kept = await first(db, KEEP_REVIEW, { review_id: id, admin_id: admin, reason: reason ?? null });
      if (!kept) throw new ApiError("conflict", { message: "review_not_published" });
      return c.json(kept.review, 200);
    }
    const cfg = c.var.config;
    const hidden = await first(db, HIDE_REVIEW, {
      review_id: id,
      admin_id: admin,
      reason: reason ?? "",
      prior_weight: cfg.ratingPrior.weight,
      prior_mean: cfg.ratingPrior.mean,
    });
    const result = hidden?.result;
    if (!result?.review) throw new ApiError("not_found");
    if (result.changed && found.review.author_role === "customer") {
      // The rating changed in the hide's transaction; the score and the cached searches follow right after it.
      c.executionCtx.waitUntil(
        announce(c.env, db, c.var.services.redis(), { events: [], providers: [found.provider_id] }),
      );
    }
    return c.json(result.review, 200);
  });
}
