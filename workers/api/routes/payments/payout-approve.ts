// POST /payments/payouts/{id}/approve: an admin releases a payout held above the approval threshold; it is sent at
// once by the provider's object. Audited. Approving one that is no longer held answers 409.
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
  operationId: "approvePayout",
  errors: [403, 404, 409],
  method: "post",
  path: "/payouts/{id}/approve",
  tags: ["payments"],
  summary: "Admin: approve a held payout",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: z.object({ id: pathId }) },
  responses: { 200: { description: "Approved and sent (or failed, or unknown)", content: json(PayoutSchema) } },
});

export function registerApprovePayout(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const owner = await first(pgReader(c.env, "payouts"), PAYOUT_OWNER, { id });
    if (!owner) throw new ApiError("not_found");
    const admin = caller(c).userId;
    const out = await providerBookings(c.env, owner.provider_id).payouts(owner.provider_id, {
      kind: "approve",
      payoutId: id,
      adminId: admin,
    });
    if (!out.ok && out.reason === "unavailable")
      throw new ApiError("dependency_unavailable", { headers: { "Retry-After": "2" } });
    if (!out.ok) throw new ApiError("conflict", { details: { kind: "state", status: owner.status } });
    const payout = out.payout;
    await run(c.var.services.pool(), AUDIT_PAYOUT, { admin_id: admin, payout_id: id, action: "payout.approve" });
    return c.json(payoutView(payout), 200);
  });
}
