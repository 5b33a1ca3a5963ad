// Schemas the /payments money endpoints share: payouts, balances, payout accounts, and who the caller provides as.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import type { PayoutRow } from "../../../../durable-objects/provider-bookings/payout-sql";
import { PayoutMethod, PayoutStatus } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { caller } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { type PayoutAccountRow, PROVIDER_OF_USER } from "../../queries/payouts";

export const PayoutSchema = z
  .object({
    id: z.number().int(),
    provider_id: z.number().int(),
    method: PayoutMethod,
    amount_poisha: z.number().int(),
    settled_cash_poisha: z.number().int().openapi({ description: "Cash commission netted from the earnings." }),
    status: z.enum(PayoutStatus.options).openapi({
      description:
        "requires_approval (above the threshold, waits for an admin), pending (being sent; bank: waiting for ops), " +
        "unknown (the gateway's answer was lost; the reconciler asks by invoice), sent, failed (error says why; the " +
        "money is available again), netted (only cash commission was settled).",
    }),
    invoice: z.string().openapi({ description: "Our unique reference, also the gateway's idempotency handle." }),
    gateway_trx: z.string().nullable(),
    error: z.string().nullable(),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi("Payout");

export function payoutView(p: PayoutRow): z.infer<typeof PayoutSchema> {
  return {
    id: p.id,
    provider_id: p.provider_id,
    method: p.method,
    amount_poisha: p.amount_poisha,
    settled_cash_poisha: p.settled_cash_poisha,
    status: p.status,
    invoice: p.invoice,
    gateway_trx: p.gateway_trx,
    error: p.error,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  };
}

/** The caller's provider id: only providers have earnings, payouts and payout accounts (others: 404). */
export async function myProviderId(c: Context<AppEnv>): Promise<number> {
  const row = await first(pgReader(c.env, `user:${caller(c).userId}`), PROVIDER_OF_USER, { user_id: caller(c).userId });
  if (!row) throw new ApiError("not_found");
  return row.id;
}

export const PayoutAccountSchema = z
  .object({
    method: PayoutMethod,
    destination: z.string().openapi({ description: "Masked: the wallet's or account's last digits only." }),
    bank_name: z.string().nullable(),
    verified: z.boolean(),
    updated_at: z.string().datetime(),
  })
  .openapi("PayoutAccount");

/** Never the full number: a leaked screen or log shows only where, not who. */
const mask = (s: string | null) => (s ? `•••${s.slice(-3)}` : "");

export const payoutAccountView = (r: z.infer<typeof PayoutAccountRow>): z.infer<typeof PayoutAccountSchema> => ({
  method: r.method,
  destination: mask(r.method === "bkash" ? r.msisdn : r.account_number),
  bank_name: r.bank_name,
  verified: r.verified_at !== null,
  updated_at: r.updated_at.toISOString(),
});
