// GET /provider/providers/{id}/reviews: a verified provider's published reviews, newest first, cursor-paged. A
// reviewer is shown by first name and the area of the job only.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { ApiError } from "../../../../lib/errors";
import { idValue } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { first, rows } from "../../../../platform/pg/sql";
import { type App, defineRoute, json } from "../../openapi";
import { PROVIDER_STATUS, PUBLIC_REVIEWS } from "../../queries/reviews";
import { pathId, queryInteger } from "../shared/params";
import { ReviewReplySchema } from "../shared/reviews";

const stars = z.number().int().min(1).max(5);

const PublicReviewSchema = z
  .object({
    id: z.number().int(),
    rating: stars,
    ratings: z
      .object({ punctuality: stars.nullable(), quality: stars.nullable(), behaviour: stars.nullable() })
      .nullable(),
    text: z.string().nullable(),
    reviewer: z.object({
      first_name: z.string().nullable(),
      area: z.string().nullable().openapi({ description: "Where the job was, as the provider's area names it." }),
    }),
    published_at: z.string().datetime(),
    reply: z.union([ReviewReplySchema, z.null()]),
  })
  .openapi("PublicReview");

const Page = z.object({ items: z.array(PublicReviewSchema), next_cursor: z.string().nullable() });

/** The list's position: the last review shown (published_at in microseconds, id). */
const Position = z.tuple([z.number().int(), idValue]);

const route = defineRoute({
  operationId: "listProviderReviews",
  errors: [404],
  method: "get",
  path: "/providers/{id}/reviews",
  tags: ["provider"],
  summary: "A provider's published reviews, newest first",
  request: {
    params: z.object({ id: pathId }),
    query: z.object({
      limit: queryInteger({ min: 1, max: 50 }).default(20),
      cursor: z.string().max(256).optional().openapi({ description: "next_cursor of the previous page" }),
    }),
  },
  responses: {
    200: {
      description: "A page of reviews",
      content: json(Page, {
        items: [
          {
            id: 311,
            rating: 5,
            ratings: { punctuality: 5, quality: 4, behaviour: 5 },
            text: "Came on time and cooked a lovely biryani.",
            reviewer: { first_name: "Nusrat", area: "Gulshan" },
            published_at: "2027-01-11T09:00:00.000Z",
            reply: { text: "Thank you!", created_at: "2027-01-11T10:00:00.000Z", edited_at: null },
          },
        ],
        next_cursor: null,
      }),
    },
  },
});

export function registerProviderReviews(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const db = pgReader(c.env, `provider:${id}`);
    const provider = await first(db, PROVIDER_STATUS, { provider_id: id });
    if (provider?.verification_status !== "verified") throw new ApiError("not_found");
    const scope = `reviews:${id}`;
    const secret = c.var.config.OTP_HMAC_SECRET;
    const opened = q.cursor ? await openCursor(secret, scope, q.cursor) : undefined;
    const position = opened === undefined ? undefined : Position.safeParse(opened);
    if (position && !position.success) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    }
    const found = await rows(db, PUBLIC_REVIEWS, {
      provider_id: id,
      before_us: position?.success ? position.data[0] : null,
      before_id: position?.success ? position.data[1] : 0,
      limit: q.limit + 1,
    });
    const page = found.slice(0, q.limit);
    const last = page[page.length - 1];
    const items = page.map((r) => ({
      id: r.id,
      rating: r.rating,
      ratings:
        r.punctuality === null && r.quality === null && r.behaviour === null
          ? null
          : { punctuality: r.punctuality, quality: r.quality, behaviour: r.behaviour },
      text: r.body,
      reviewer: { first_name: r.reviewer_name, area: r.reviewer_area },
      published_at: r.published_at.toISOString(),
      reply:
        r.reply_body !== null && r.reply_at !== null
          ? {
              text: r.reply_body,
              created_at: r.reply_at.toISOString(),
              edited_at: r.reply_edited_at?.toISOString() ?? null,
            }
          : null,
    }));
    const next = found.length > q.limit && last ? await signCursor(secret, scope, [last.published_us, last.id]) : null;
    return c.json({ items, next_cursor: next }, 200, { "Cache-Control": "public, max-age=60" });
  });
}
