// POST /provider/kyc/reviews/{id}/approve: an admin approves a pending submission; the provider becomes verified.
import { z } from "@hono/zod-openapi";
import { text } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { invalidateAround } from "../../../../platform/search-cache";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { decideKyc, providerById } from "../../queries/provider";
import { ReviewIdParam, ReviewSchema, reviewView } from "./schemas";

const route = defineRoute({
  operationId: "approveKycReview",
  errors: [403, 404, 409],

  method: "post",
  path: "/kyc/reviews/{id}/approve",
  tags: ["provider"],
  summary: "Admin: approve a submission",
  description: "Idempotent: repeating the same decision answers the same result; the opposite decision is 409.",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: ReviewIdParam,
    body: {
      required: false,
      content: json(z.object({ reason: text({ max: 500, multiline: true }).optional() }), {
        reason: "NID matches the selfie.",
      }),
    },
  },
  responses: {
    200: { description: "Decided", content: json(ReviewSchema) },
  },
});

export function registerKycApprove(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const reason = c.req.valid("json").reason ?? null;
    const pool = c.var.services.pool();
    const { review, changed } = await decideKyc(pool, id, "approve", caller(c).userId, reason);
    if (changed) {
      // Verified status decides who is searchable: drop every cached answer around this provider.
      const provider = await first(pool, providerById, { id: review.provider_id });
      if (provider) await invalidateAround(c.var.services.redis(), [provider], ["profile", "availability"]);
    }
    return c.json(reviewView(review), 200);
  });
}
