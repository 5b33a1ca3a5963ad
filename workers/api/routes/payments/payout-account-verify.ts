// POST /payments/payout-accounts/{provider_id}/verify: an admin confirms a provider's payout destination (the name
// on the wallet or bank account matches the provider's verified identity). Audited; repeating it is harmless.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { VERIFY_PAYOUT_ACCOUNT } from "../../queries/payouts";
import { security } from "../shared/booking";
import { pathId } from "../shared/params";
import { PayoutAccountSchema, payoutAccountView } from "./schemas";

const route = defineRoute({
  operationId: "verifyPayoutAccount",
  errors: [403, 404],
  method: "post",
  path: "/payout-accounts/{provider_id}/verify",
  tags: ["payments"],
  summary: "Admin: verify a provider's payout account",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: z.object({ provider_id: pathId }) },
  responses: { 200: { description: "Verified", content: json(PayoutAccountSchema) } },
});

export function registerVerifyPayoutAccount(app: App) {
  app.openapi(route, async (c) => {
    const { provider_id } = c.req.valid("param");
    const row = await first(c.var.services.pool(), VERIFY_PAYOUT_ACCOUNT, { provider_id, admin_id: caller(c).userId });
    if (!row) throw new ApiError("not_found");
    return c.json(payoutAccountView(row), 200);
  });
}
