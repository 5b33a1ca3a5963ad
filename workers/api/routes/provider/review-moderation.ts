// GET /provider/reviews/moderation: admins see the reviews waiting for them: flagged (a burst from new accounts)
// or reported, and neither hidden nor kept since.
import { z } from "@hono/zod-openapi";
import { ReviewFlag } from "../../../../lib/enums";
import { rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { MODERATION_QUEUE } from "../../queries/reviews";
import { REVIEW_EXAMPLE, ReviewSchema } from "../shared/reviews";

const ItemSchema = z
  .object({
    review: ReviewSchema,
    provider_id: z.number().int(),
    flags: z.array(ReviewFlag),
    redactions: z.record(z.string(), z.number().int()).openapi({
      description: "How many contact details of each kind were taken out of the text (never what they were).",
    }),
    reports: z.array(z.object({ reason: z.string(), created_at: z.string().datetime() })),
  })
  .openapi("ModerationItem");

const route = defineRoute({
  operationId: "listReviewModeration",
  errors: [403],
  method: "get",
  path: "/reviews/moderation",
  tags: ["provider"],
  summary: "Admin: reviews flagged or reported, waiting for a decision",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  responses: {
    200: {
      description: "The queue, oldest first",
      content: json(z.object({ items: z.array(ItemSchema) }), {
        items: [
          {
            review: { ...REVIEW_EXAMPLE, published_at: "2027-01-11T09:00:00.000Z" },
            provider_id: 42,
            flags: ["burst"],
            redactions: { phone: 1 },
            reports: [{ reason: "This review is about a different job.", created_at: "2027-01-12T07:30:00.000Z" }],
          },
        ],
      }),
    },
  },
});

export function registerReviewModeration(app: App) {
  app.openapi(route, async (c) => {
    const items = await rows(c.var.services.sql(), MODERATION_QUEUE, { limit: 200 });
    return c.json({ items }, 200);
  });
}
