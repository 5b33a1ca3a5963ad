// GET /payments/payout-account: where the caller's payouts go (masked), and whether it is verified.
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { PAYOUT_ACCOUNT } from "../../queries/payouts";
import { security } from "../shared/booking";
import { myProviderId, PayoutAccountSchema, payoutAccountView } from "./schemas";

const route = defineRoute({
  operationId: "getPayoutAccount",
  errors: [403, 404],
  method: "get",
  path: "/payout-account",
  tags: ["payments"],
  summary: "Provider: where payouts go",
  security,
  middleware: [requireAuth(["provider"])] as const,
  responses: { 200: { description: "The account (masked)", content: json(PayoutAccountSchema) } },
});

export function registerGetPayoutAccount(app: App) {
  app.openapi(route, async (c) => {
    const row = await first(c.var.services.pool(), PAYOUT_ACCOUNT, { provider_id: await myProviderId(c) });
    if (!row) throw new ApiError("not_found");
    return c.json(payoutAccountView(row), 200);
  });
}
