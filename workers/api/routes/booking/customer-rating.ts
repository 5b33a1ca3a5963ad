// GET /booking/bookings/{id}/customer-rating: what a provider sees of the customer before accepting a request:
// the ratings providers gave them (published, not hidden) and how many jobs they completed.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { bayesianRating, roundRating } from "../../../../lib/reputation";
import { firstName } from "../../../../lib/review-policy";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { CUSTOMER_RATING } from "../../queries/reviews";
import { BookingIdParam, security } from "../shared/booking";

const CustomerRatingSchema = z
  .object({
    first_name: z.string().nullable(),
    rating: z.number().openapi({ description: "Bayesian, with the same prior as providers' ratings." }),
    rating_count: z.number().int(),
    rating_mean: z.number().nullable().openapi({ description: "The plain mean of the stars; null with none." }),
    completed_bookings: z.number().int(),
  })
  .openapi("CustomerRating");

const route = defineRoute({
  operationId: "getCustomerRating",
  errors: [403, 404],
  method: "get",
  path: "/bookings/{id}/customer-rating",
  tags: ["booking"],
  summary: "Provider: the customer's published rating, before accepting",
  description: "For the booking's provider (and admins): the customer's rating from providers' published reviews.",
  security,
  middleware: [requireAuth()] as const,
  request: { params: BookingIdParam },
  responses: {
    200: {
      description: "The customer's rating summary",
      content: json(CustomerRatingSchema, {
        first_name: "Nusrat",
        rating: 4.27,
        rating_count: 3,
        rating_mean: 5,
        completed_bookings: 4,
      }),
    },
  },
});

export function registerCustomerRating(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c);
    const row = await first(pgReader(c.env, `booking:${id}`), CUSTOMER_RATING, { booking_id: id });
    if (!row || (row.customer_id !== me.userId && row.provider_user_id !== me.userId && me.role !== "admin")) {
      throw new ApiError("not_found");
    }
    if (row.provider_user_id !== me.userId && me.role !== "admin") throw new ApiError("forbidden");
    const prior = c.var.config.ratingPrior;
    return c.json(
      {
        first_name: firstName(row.customer_name),
        rating: roundRating(bayesianRating(row.rating_sum, row.rating_count, prior)),
        rating_count: row.rating_count,
        rating_mean: row.rating_count > 0 ? roundRating(row.rating_sum / row.rating_count) : null,
        completed_bookings: row.completed_bookings,
      },
      200,
    );
  });
}
