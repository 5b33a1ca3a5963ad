// POST /payments/bookings/{id}/refund: support returns captured money (a dispute, a goodwill gesture). Admins only,
// Idempotency-Key required, never more than was captured and not yet refunded.
import { z } from "@hono/zod-openapi";
import { bookingProvider, providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import { BookingSchema, IdempotencyHeaderRequired, renderOutcome, requestHash } from "../shared/booking";
import { pathId } from "../shared/params";

const Body = z
  .object({
    amount_poisha: z.number().int().positive().max(100_000_000_00),
    reason: text({ min: 3, max: 500, multiline: true }),
  })
  .openapi("RefundRequest");

const route = defineRoute({
  operationId: "refundBooking",
  errors: [403, 404, 409, 422],
  idempotent: true,

  method: "post",
  path: "/bookings/{id}/refund",
  tags: ["payments"],
  summary: "Refund captured money (admin)",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: z.object({ id: pathId }),
    headers: IdempotencyHeaderRequired,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: Body,
          example: { amount_poisha: 20000, reason: "The provider arrived an hour late." },
        },
      },
    },
  },
  responses: {
    200: {
      description: "Refunded; the booking with its payment",
      content: { "application/json": { schema: BookingSchema } },
    },
  },
});

export function registerRefund(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const key = c.req.valid("header")["idempotency-key"];
    const body = c.req.valid("json");
    const providerId = await bookingProvider(c.env, id);
    if (providerId === null) throw new ApiError("not_found");
    const me = caller(c);
    const path = `/payments/bookings/${id}/refund`;
    const outcome = await providerBookings(c.env, providerId).refund({
      providerId,
      bookingId: id,
      amountPoisha: body.amount_poisha,
      reason: body.reason,
      actor: { userId: me.userId, role: me.role },
      idempotency: { key, method: "POST", path, requestHash: await requestHash("POST", path, body) },
    });
    return c.json(renderOutcome(c, outcome).body, 200);
  });
}
