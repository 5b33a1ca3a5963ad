// GET /booking/bookings/{id}: one booking, for its customer, its provider, and admins. Anyone else gets 404.

import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import { BookingSchema, BookingIdParam as Id, security, visibleBooking } from "../shared/booking";
import { CONFIRMED_CARD_BOOKING_EXAMPLE } from "../shared/examples";

const getOne = defineRoute({
  operationId: "getBooking",
  errors: [404],

  method: "get",
  path: "/bookings/{id}",
  tags: ["booking"],
  summary: "A booking",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: {
      description: "The booking",
      content: { "application/json": { schema: BookingSchema, example: CONFIRMED_CARD_BOOKING_EXAMPLE } },
    },
  },
});

export function registerGetBooking(app: App) {
  app.openapi(getOne, async (c) => c.json(await visibleBooking(c, c.req.valid("param").id), 200));
}
