// GET /payments/earnings: what a provider has earned, from the journal alone: available (payable now), pending
// (inside the dispute window), frozen (disputed), owed (cash commission not yet settled), and the latest entries.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { first, rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BALANCES, EARNING_LINES } from "../../queries/payouts";
import { security } from "../shared/booking";
import { myProviderId } from "./schemas";

const Entry = z.object({
  entry_id: z.number().int(),
  kind: z.string().openapi({ description: "What moved it: payment.capture, booking.completed, payout.sent, …" }),
  account: z.enum(["provider_payable", "provider_cash_owed"]),
  amount_poisha: z.number().int().openapi({
    description: "Signed, as it changes what you can be paid: positive adds to your earnings, negative takes away.",
  }),
  booking_id: z.number().int().nullable(),
  payout_id: z.number().int().nullable(),
  created_at: z.string().datetime(),
  available_at: z.string().datetime().nullable().openapi({ description: "When a booking's earnings become payable." }),
  disputed: z.boolean(),
});

const Earnings = z
  .object({
    available_poisha: z
      .number()
      .int()
      .openapi({ description: "Payable now (negative after a refund that followed a payout)." }),
    pending_poisha: z.number().int(),
    frozen_poisha: z.number().int(),
    owed_poisha: z
      .number()
      .int()
      .openapi({ description: "Cash commission you collected and owe; the next payout nets it." }),
    in_flight_poisha: z.number().int(),
    dispute_window_s: z.number().int(),
    entries: z.array(Entry),
  })
  .openapi("Earnings");

const route = defineRoute({
  operationId: "getEarnings",
  errors: [403, 404],
  method: "get",
  path: "/earnings",
  tags: ["payments"],
  summary: "Provider: earnings and balances",
  security,
  middleware: [requireAuth(["provider"])] as const,
  responses: { 200: { description: "Balances and the latest 100 entries", content: json(Earnings) } },
});

export function registerEarnings(app: App) {
  app.openapi(route, async (c) => {
    const providerId = await myProviderId(c);
    const window_s = c.var.config.DISPUTE_WINDOW_S;
    const reader = pgReader(c.env, `provider:${providerId}`);
    const [bal, lines] = await Promise.all([
      first(reader, BALANCES, { provider_id: providerId, window_s }),
      rows(reader, EARNING_LINES, { provider_id: providerId, window_s, limit: 100 }),
    ]);
    return c.json(
      {
        available_poisha: bal?.available ?? 0,
        pending_poisha: bal?.pending ?? 0,
        frozen_poisha: bal?.frozen ?? 0,
        owed_poisha: bal?.owed ?? 0,
        in_flight_poisha: bal?.in_flight ?? 0,
        dispute_window_s: window_s,
        entries: lines.map((l) => ({
          entry_id: l.entry_id,
          kind: l.kind,
          account: l.account === "provider_cash_owed" ? ("provider_cash_owed" as const) : ("provider_payable" as const),
          // Credits to payable are earnings, debits to cash owed are debt: both read as the line's negation.
          amount_poisha: -l.amount_poisha,
          booking_id: l.booking_id,
          payout_id: l.payout_id,
          created_at: l.created_at.toISOString(),
          available_at: l.available_at?.toISOString() ?? null,
          disputed: l.disputed,
        })),
      },
      200,
    );
  });
}
