// POST /payments/payouts/{id}/confirm: ops confirm that a bank payout from the BEFTN batch reached the provider.
// Only a pending bank payout moves (409 otherwise); the provider's object records it; audited.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { ApiError } from "../../../../lib/errors";
import { first, run } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { AUDIT_PAYOUT, PAYOUT_OWNER } from "../../queries/payouts";
import { security } from "../shared/booking";
import { pathId } from "../shared/params";
import { PayoutSchema, payoutView } from "./schemas";

const route = defineRoute({
  operationId: "confirmBankPayout",
  errors: [403, 404, 409],
  method: "post",
  path: "/payouts/{id}/confirm",
  tags: ["payments"],
  summary: "Admin: a bank payout went through",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: z.object({ id: pathId }) },
  responses: { 200: { description: "Recorded as sent", content: json(PayoutSchema) } },
});

export function registerConfirmBankPayout(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const owner = await first(pgReader(c.env, "payouts"), PAYOUT_OWNER, { id });
    if (!owner) throw new ApiError("not_found");
    if (owner.method !== "bank" || (owner.status !== "pending" && owner.status !== "sent")) {
      throw new ApiError("conflict", { details: { kind: "state", status: owner.status } });
    }
    const out = await providerBookings(c.env, owner.provider_id).payouts(owner.provider_id, {
      kind: "confirm_bank",
      payoutId: id,
    });
    if (!out.ok && out.reason === "unavailable") {
      throw new ApiError("dependency_unavailable", { headers: { "Retry-After": "2" } });
    }
    if (!out.ok) throw new ApiError("conflict", { details: { kind: "state", status: owner.status } });
    await run(c.var.services.pool(), AUDIT_PAYOUT, {
      admin_id: caller(c).userId,
      payout_id: id,
      action: "payout.confirm",
    });
    return c.json(payoutView(out.payout), 200);
  });
}
