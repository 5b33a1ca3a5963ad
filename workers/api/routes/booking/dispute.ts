// POST /booking/bookings/{id}/dispute {reason}: the customer disputes a completed booking inside the dispute window;
// the provider's earnings for it freeze until an admin resolves it. Repeating answers the same dispute.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json, responseHeaders } from "../../openapi";
import { OPEN_DISPUTE } from "../../queries/disputes";
import { BookingIdParam, DisputeSchema, disputeView, notifyAccount, security } from "../shared/booking";

const Body = z.object({ reason: text({ min: 3, max: 1000, multiline: true }) }).openapi("DisputeOpen");

const route = defineRoute({
  operationId: "openDispute",
  errors: [404, 409],
  method: "post",
  path: "/bookings/{id}/dispute",
  tags: ["booking"],
  summary: "Customer: dispute a completed booking",
  description:
    "Within the dispute window after completion (72 h in production). Freezes the provider's earnings for this " +
    "booking until support resolves it (release, partial refund, full refund). 409 when the booking is not " +
    "completed or the window has closed.",
  security,
  middleware: [requireAuth()] as const,
  request: {
    params: BookingIdParam,
    body: { required: true, content: json(Body, { reason: "The provider left after one hour of a three-hour job." }) },
  },
  responses: {
    201: { description: "Opened", content: json(DisputeSchema) },
    200: {
      description: "Already open: the same dispute",
      headers: responseHeaders("IdempotentReplayed"),
      content: json(DisputeSchema),
    },
  },
});

export function registerDispute(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c).userId;
    const row = await first(c.var.services.pool(), OPEN_DISPUTE, {
      booking_id: id,
      user_id: me,
      reason: c.req.valid("json").reason,
      window_s: c.var.config.DISPUTE_WINDOW_S,
    });
    if (!row || row.customer_id !== me) throw new ApiError("not_found");
    if (row.dispute) {
      if (row.fresh) {
        await notifyAccount(c.env, {
          type: "dispute.opened",
          booking_id: id,
          to: [{ user_id: row.provider_user_id }],
          amount_poisha: 0,
        });
        return c.json(disputeView(row.dispute), 201);
      }
      c.header("Idempotent-Replayed", "true");
      return c.json(disputeView(row.dispute), 200);
    }
    if (row.status !== "COMPLETED") throw new ApiError("conflict", { details: { kind: "state", status: row.status } });
    throw new ApiError("conflict", { message: "dispute_window_closed" });
  });
}
