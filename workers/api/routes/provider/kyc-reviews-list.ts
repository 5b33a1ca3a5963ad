// GET /provider/kyc/reviews: admins list KYC submissions of one status (pending by default). Each look is audited.
import { z } from "@hono/zod-openapi";
import { KycStatus } from "../../../../lib/enums";
import { rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { auditKyc, reviewsByStatus } from "../../queries/provider";
import { ReviewSchema, reviewView } from "./schemas";

const route = defineRoute({
  operationId: "listKycReviews",
  errors: [403],

  method: "get",
  path: "/kyc/reviews",
  tags: ["provider"],
  summary: "Admin: KYC submissions (pending first by default)",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  request: { query: z.object({ status: KycStatus.default("pending") }) },
  responses: {
    200: { description: "Submissions", content: json(z.object({ reviews: z.array(ReviewSchema) })) },
  },
});

export function registerKycReviewsList(app: App) {
  app.openapi(route, async (c) => {
    const { status } = c.req.valid("query");
    const pool = c.var.services.pool();
    const reviews = await rows(pool, reviewsByStatus, { status });
    await auditKyc(pool, { adminId: caller(c).userId, action: "kyc.list", submissionId: 0, meta: { status } });
    return c.json({ reviews: reviews.map(reviewView) }, 200);
  });
}
