// POST /payments/disputes/{id}/resolve: an admin closes a dispute: release (the provider is paid as usual), or a
// partial or full refund through the provider's object (the journal takes it back from the provider's earnings,
// even after a payout). Audited; a retry never refunds twice (the refund's idempotency key is the dispute's).
import { z } from "@hono/zod-openapi";
import { providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { DisputeResolution } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { CLAIM_REFUND_ACTOR, DISPUTE_BY_ID, RESOLVE_DISPUTE } from "../../queries/disputes";
import { DisputeSchema, disputeView, notifyAccount, renderOutcome, requestHash, security } from "../shared/booking";
import { pathId } from "../shared/params";

const Body = z
  .object({
    resolution: DisputeResolution,
    refund_poisha: z
      .number()
      .int()
      .positive()
      .max(100_000_000_00)
      .optional()
      .openapi({ description: "partial_refund only" }),
    reason: text({ min: 3, max: 500, multiline: true }),
  })
  .openapi("DisputeResolve");

const route = defineRoute({
  operationId: "resolveDispute",
  errors: [403, 404, 409],
  method: "post",
  path: "/disputes/{id}/resolve",
  tags: ["payments"],
  summary: "Admin: resolve a dispute",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: z.object({ id: pathId }),
    body: {
      required: true,
      content: json(Body, { resolution: "partial_refund", refund_poisha: 20_000, reason: "Left an hour early." }),
    },
  },
  responses: { 200: { description: "Resolved", content: json(DisputeSchema) } },
});

export function registerResolveDispute(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const d = await first(c.var.services.pool(), DISPUTE_BY_ID, { id });
    if (!d) throw new ApiError("not_found");
    if (d.status === "resolved" && d.resolution !== body.resolution) {
      throw new ApiError("conflict", { details: { kind: "state", status: d.status } });
    }
    const refundable = d.captured - d.refunded;
    const amount =
      body.resolution === "full_refund" ? refundable : body.resolution === "partial_refund" ? body.refund_poisha : 0;
    if (body.resolution === "partial_refund" && amount === undefined) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("refund_poisha", "required")]) });
    }
    const admin = caller(c);
    if (amount && amount > 0 && d.status === "open") {
      // One refund per dispute, whoever retries: it always runs under the first resolving admin's key.
      const claimed = await first(c.var.services.pool(), CLAIM_REFUND_ACTOR, { id, admin_id: admin.userId });
      const actorId = claimed?.refund_actor ?? admin.userId;
      const path = `/payments/disputes/${id}/resolve`;
      const refund = { amount_poisha: amount, reason: body.reason };
      const outcome = await providerBookings(c.env, d.provider_id).refund({
        providerId: d.provider_id,
        bookingId: d.booking_id,
        amountPoisha: amount,
        reason: `dispute ${id}: ${body.reason}`,
        actor: { userId: actorId, role: "admin" },
        idempotency: {
          key: `dispute-${id}-refund`,
          method: "POST",
          path,
          requestHash: await requestHash("POST", path, refund),
        },
      });
      // A refusal (nothing refundable, a gateway outage) answers as the refund would; the dispute stays open.
      if (!outcome.ok) renderOutcome(c, outcome);
    }
    const done = await first(c.var.services.pool(), RESOLVE_DISPUTE, {
      id,
      admin_id: admin.userId,
      resolution: body.resolution,
      refund_poisha: amount && amount > 0 ? amount : null,
      reason: body.reason,
    });
    if (!done) throw new ApiError("conflict", { details: { kind: "state", status: "resolved" } });
    if (d.status === "open") {
      await notifyAccount(c.env, {
        type: "dispute.resolved",
        booking_id: d.booking_id,
        to: [{ user_id: d.opened_by }, { provider_id: d.provider_id }],
        amount_poisha: done.refund_poisha ?? 0,
        reason: body.resolution,
      });
    }
    return c.json(disputeView(done), 200);
  });
}
