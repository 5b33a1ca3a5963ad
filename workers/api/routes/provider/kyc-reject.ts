// POST /provider/kyc/reviews/{id}/reject: an admin rejects a pending submission, giving a reason.
import { z } from "@hono/zod-openapi";
import { text } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { invalidateAround } from "../../../../platform/search-cache";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { decideKyc, providerById } from "../../queries/provider";
import { ReviewIdParam, ReviewSchema, reviewView } from "./schemas";

const route = defineRoute({
  operationId: "rejectKycReview",
  errors: [403, 404, 409],

  method: "post",
  path: "/kyc/reviews/{id}/reject",
  tags: ["provider"],
  summary: "Admin: reject a submission",
  description: "Idempotent: repeating the same decision answers the same result; the opposite decision is 409.",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: ReviewIdParam,
    body: {
      required: true,
      content: json(z.object({ reason: text({ min: 3, max: 500, multiline: true }) }), {
        reason: "The NID photo is blurred: please upload a sharper picture.",
      }),
    },
  },
  responses: {
    200: { description: "Decided", content: json(ReviewSchema) },
  },
});

export function registerKycReject(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const pool = c.var.services.pool();
    const { review, changed } = await decideKyc(pool, id, "reject", caller(c).userId, reason);
    if (changed) {
      // Only verified providers are searchable: drop every cached answer around this provider.
      const provider = await first(pool, providerById, { id: review.provider_id });
      if (provider) await invalidateAround(c.var.services.redis(), [provider], ["profile", "availability"]);
    }
    return c.json(reviewView(review), 200);
  });
}
