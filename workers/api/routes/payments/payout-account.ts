// PUT /payments/payout-account: where a provider is paid: a bKash wallet or a bank account (BEFTN). A new or
// changed destination is paid only once verified (ops check the name against the provider's KYC; the dev stack
// verifies at once).
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { normalizePhone } from "../../../../lib/phone";
import { first } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { UPSERT_PAYOUT_ACCOUNT } from "../../queries/payouts";
import { security } from "../shared/booking";
import { myProviderId, PayoutAccountSchema, payoutAccountView } from "./schemas";

const Bkash = z.object({ method: z.literal("bkash"), msisdn: z.string().max(32).openapi({ example: "01712345678" }) });
const Bank = z.object({
  method: z.literal("bank"),
  bank_name: text({ min: 2, max: 100 }),
  branch_routing: z
    .string()
    .regex(/^\d{9}$/, { message: "whole_number" })
    .openapi({ description: "9-digit routing number" }),
  account_number: z.string().regex(/^\d{6,20}$/, { message: "whole_number" }),
  account_name: text({ min: 1, max: 120 }),
});
const Body = z.discriminatedUnion("method", [Bkash, Bank]).openapi("PayoutAccountSet");

const put = defineRoute({
  operationId: "setPayoutAccount",
  errors: [403, 404],
  method: "put",
  path: "/payout-account",
  tags: ["payments"],
  summary: "Provider: set where payouts go",
  description: "Setting the same destination again keeps its verification; a new one must be verified again.",
  security,
  middleware: [requireAuth(["provider"])] as const,
  request: { body: { required: true, content: json(Body, { method: "bkash", msisdn: "01712345678" }) } },
  responses: { 200: { description: "The account (masked)", content: json(PayoutAccountSchema) } },
});

export function registerPayoutAccount(app: App) {
  app.openapi(put, async (c) => {
    const body = c.req.valid("json");
    const providerId = await myProviderId(c);
    let msisdn: string | null = null;
    if (body.method === "bkash") {
      const parsed = normalizePhone(body.msisdn);
      if (!parsed) throw new ApiError("invalid_input", { message: "invalid_phone" });
      msisdn = parsed;
    }
    const row = await first(c.var.services.pool(), UPSERT_PAYOUT_ACCOUNT, {
      provider_id: providerId,
      method: body.method,
      msisdn,
      bank_name: body.method === "bank" ? body.bank_name : null,
      branch_routing: body.method === "bank" ? body.branch_routing : null,
      account_number: body.method === "bank" ? body.account_number : null,
      account_name: body.method === "bank" ? body.account_name : null,
      auto_verify: c.var.config.PAYOUT_ACCOUNT_AUTO_VERIFY === "true",
    });
    if (!row) throw new ApiError("internal");
    return c.json(payoutAccountView(row), 200);
  });
}
