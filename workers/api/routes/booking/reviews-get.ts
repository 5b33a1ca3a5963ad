// GET /booking/bookings/{id}/reviews: the booking's two reviews as the caller may see them. Your own always; the
// other side's only once published (both written, or the window closed) and not hidden. Admins see both.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { windowClosesAt } from "../../../../lib/review-policy";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import type { ReviewView } from "../../queries/reviews";
import { BOOKING_REVIEWS } from "../../queries/reviews";
import { BookingIdParam, security } from "../shared/booking";
import { REVIEW_EXAMPLE, ReviewSchema } from "../shared/reviews";

const BookingReviewsSchema = z
  .object({
    window: z.object({
      closes_at: z.string().datetime().nullable().openapi({ description: "Null until the booking is completed." }),
      open: z.boolean().openapi({ description: "Whether a review can still be written." }),
    }),
    /** The customer's review of the provider, and the provider's of the customer. */
    customer_review: z.union([ReviewSchema, z.null()]),
    provider_review: z.union([ReviewSchema, z.null()]),
  })
  .openapi("BookingReviews", {
    description:
      "customer_review is the customer's review of the provider; provider_review the provider's of the customer.",
  });

const route = defineRoute({
  operationId: "getBookingReviews",
  errors: [404],
  method: "get",
  path: "/bookings/{id}/reviews",
  tags: ["booking"],
  summary: "A booking's reviews, as far as you may see them",
  description:
    "Your own review always; the other side's only once it is published (both have written, or the window " +
    "closed), and not when an admin hid it. Admins see both. Anyone else: 404.",
  security,
  middleware: [requireAuth()] as const,
  request: { params: BookingIdParam },
  responses: {
    200: {
      description: "The reviews",
      content: json(BookingReviewsSchema, {
        window: { closes_at: "2027-01-24T08:00:00.000Z", open: true },
        customer_review: REVIEW_EXAMPLE,
        provider_review: null,
      }),
    },
  },
});

const visible = (r: ReviewView | null, mine: boolean) =>
  r && (mine || (r.published_at !== null && !r.hidden)) ? r : null;

export function registerBookingReviews(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c);
    const row = await first(pgReader(c.env, `booking:${id}`), BOOKING_REVIEWS, { booking_id: id });
    const admin = me.role === "admin";
    const side = row?.customer_id === me.userId ? "customer" : row?.provider_user_id === me.userId ? "provider" : null;
    if (!row || (!side && !admin)) throw new ApiError("not_found");
    const closes = row.completed_at ? windowClosesAt(row.completed_at, c.var.config.REVIEW_WINDOW_DAYS) : null;
    return c.json(
      {
        window: {
          closes_at: closes?.toISOString() ?? null,
          open: closes !== null && row.window_published_at === null && closes.getTime() > Date.now(),
        },
        customer_review: visible(row.customer_review, admin || side === "customer"),
        provider_review: visible(row.provider_review, admin || side === "provider"),
      },
      200,
    );
  });
}
