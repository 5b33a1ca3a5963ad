// GET /payments/statements/{month}[?format=html]: a provider's month in Dhaka time: each job that ended in it (what
// the customer paid, the commission, the provider's share, cash commission owed) and each payout, with totals.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { DHAKA_OFFSET_MS } from "../../../../lib/availability";
import { rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { MONTH_BOOKINGS, MONTH_PAYOUTS } from "../../queries/payouts";
import { security } from "../shared/booking";
import { dhakaTime, PAGE_CSP, page, taka } from "../shared/printable";
import { myProviderId, PayoutSchema, payoutView } from "./schemas";

const Month = z.object({
  month: z
    .string()
    .regex(/^20\d{2}-(0[1-9]|1[0-2])$/, { message: "month" })
    .openapi({ example: "2026-12", description: "YYYY-MM, a month in Dhaka time" }),
});

const Line = z.object({
  booking_id: z.number().int(),
  service_type: z.string(),
  payment_method: z.string(),
  ended_at: z.string().datetime(),
  gross_poisha: z.number().int(),
  commission_poisha: z.number().int(),
  earnings_poisha: z.number().int().openapi({ description: "Paid out through us (0 for a cash job: kept in hand)." }),
  cash_commission_poisha: z.number().int(),
});

const Statement = z
  .object({
    month: z.string(),
    provider_id: z.number().int(),
    bookings: z.array(Line),
    payouts: z.array(PayoutSchema),
    totals: z.object({
      gross_poisha: z.number().int(),
      commission_poisha: z.number().int(),
      earnings_poisha: z.number().int(),
      cash_commission_poisha: z.number().int(),
      paid_out_poisha: z.number().int(),
    }),
  })
  .openapi("Statement");

const route = defineRoute({
  operationId: "getStatement",
  errors: [403, 404],
  method: "get",
  path: "/statements/{month}",
  tags: ["payments"],
  summary: "Provider: a monthly statement (JSON, or a printable page with format=html)",
  security,
  middleware: [requireAuth(["provider"])] as const,
  request: { params: Month, query: z.object({ format: z.enum(["json", "html"]).default("json") }) },
  responses: {
    200: { description: "The statement", content: { ...json(Statement), "text/html": { schema: z.string() } } },
  },
});

/** The month's bounds as UTC instants: Dhaka midnight on the 1st, to the next month's. */
function bounds(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const from = Date.UTC(y, m - 1, 1) - DHAKA_OFFSET_MS;
  const to = Date.UTC(y, m, 1) - DHAKA_OFFSET_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function registerStatement(app: App) {
  app.openapi(route, async (c) => {
    const { month } = c.req.valid("param");
    const providerId = await myProviderId(c);
    const reader = pgReader(c.env, `provider:${providerId}`);
    const range = { provider_id: providerId, ...bounds(month) };
    const [bookings, payouts] = await Promise.all([
      rows(reader, MONTH_BOOKINGS, range),
      rows(reader, MONTH_PAYOUTS, range),
    ]);
    const sent = payouts.filter((p) => p.status === "sent");
    const totals = {
      gross_poisha: sum(bookings.map((b) => b.gross_poisha)),
      commission_poisha: sum(bookings.map((b) => b.commission_poisha)),
      earnings_poisha: sum(bookings.map((b) => b.earnings_poisha)),
      cash_commission_poisha: sum(bookings.map((b) => b.cash_commission_poisha)),
      paid_out_poisha: sum(sent.map((p) => p.amount_poisha)),
    };
    if (c.req.valid("query").format === "html") {
      const lang = c.var.lang;
      const bn = lang === "bn";
      c.header("Content-Security-Policy", PAGE_CSP);
      return c.html(
        page({
          lang,
          title: bn ? `কর্ম মেলা মাসিক বিবরণী ${month}` : `Kormo Mela statement ${month}`,
          facts: [[bn ? "সেবাদাতা" : "Provider", `#${providerId}`]],
          head: bn
            ? ["বুকিং", "সময়", "মোট", "কমিশন", "আপনার অংশ"]
            : ["Booking", "Ended", "Paid", "Commission", "Your share"],
          rows: bookings.map((b) => [
            `#${b.booking_id} ${b.service_type} (${b.payment_method})`,
            dhakaTime(b.ended_at, lang),
            taka(b.gross_poisha, lang),
            taka(-b.commission_poisha, lang),
            taka(b.earnings_poisha, lang),
          ]),
          totals: [
            [bn ? "মোট কমিশন" : "Commission", taka(-totals.commission_poisha, lang)],
            [bn ? "আপনার আয়" : "Your earnings", taka(totals.earnings_poisha, lang)],
            [bn ? "নগদ কাজের কমিশন বাকি" : "Cash commission owed", taka(totals.cash_commission_poisha, lang)],
            [bn ? "পেআউট" : "Paid out", taka(totals.paid_out_poisha, lang)],
          ],
        }),
        200,
      );
    }
    return c.json(
      {
        month,
        provider_id: providerId,
        bookings: bookings.map((b) => ({ ...b, ended_at: b.ended_at.toISOString() })),
        payouts: payouts.map(payoutView),
        totals,
      },
      200,
    );
  });
}
