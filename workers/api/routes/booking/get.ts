// GET /booking/bookings/{id}: one booking, for its customer, its provider, and admins. Anyone else gets 404.
import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";
import { BookingSchema, BookingIdParam as Id, security, visibleBooking } from "../shared/booking";

const getOne = createRoute({
  method: "get",
  path: "/bookings/{id}",
  tags: ["booking"],
  summary: "A booking",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: { description: "The booking", content: { "application/json": { schema: BookingSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

export function registerGetBooking(app: App) {
  app.openapi(getOne, async (c) => c.json(await visibleBooking(c, c.req.valid("param").id), 200));
}
