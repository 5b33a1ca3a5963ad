// GET /payments/bookings/{id}/receipt[?format=html]: one booking's money, the same items for its customer and its
// provider (the service, a late-cancel fee, refunds, the platform's commission, the provider's share); admins too.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BOOKING_MONEY } from "../../queries/payouts";
import { BookingIdParam, security } from "../shared/booking";
import { dhakaTime, PAGE_CSP, page, taka } from "../shared/printable";

const Item = z.object({
  kind: z.enum(["service", "late_cancel_fee", "refund", "commission", "provider_share"]),
  amount_poisha: z.number().int(),
});

const Receipt = z
  .object({
    booking_id: z.number().int(),
    service_type: z.string(),
    status: z.string(),
    payment_method: z.string(),
    start_date: z.string().datetime(),
    end_date: z.string().datetime(),
    currency: z.literal("BDT"),
    items: z.array(Item),
    paid_poisha: z.number().int().openapi({ description: "What the customer paid and was not refunded." }),
    commission_bps: z.number().int().nullable(),
  })
  .openapi("Receipt");

const route = defineRoute({
  operationId: "getReceipt",
  errors: [404],
  method: "get",
  path: "/bookings/{id}/receipt",
  tags: ["payments"],
  summary: "A booking's receipt (JSON, or a printable page with format=html)",
  security,
  middleware: [requireAuth()] as const,
  request: { params: BookingIdParam, query: z.object({ format: z.enum(["json", "html"]).default("json") }) },
  responses: {
    200: { description: "The receipt", content: { ...json(Receipt), "text/html": { schema: z.string() } } },
  },
});

const LABELS = {
  en: {
    title: "Kormo Mela receipt",
    service: "Service",
    late_cancel_fee: "Late-cancel fee",
    refund: "Refunded",
    commission: "Kormo Mela commission",
    provider_share: "Provider's share",
    paid: "Paid",
    booking: "Booking",
    provider: "Provider",
    when: "When",
    method: "Paid by",
    item: "Item",
    amount: "Amount",
  },
  bn: {
    title: "কর্ম মেলা রসিদ",
    service: "সেবা",
    late_cancel_fee: "দেরিতে বাতিলের ফি",
    refund: "ফেরত",
    commission: "কর্ম মেলা কমিশন",
    provider_share: "সেবাদাতার অংশ",
    paid: "পরিশোধিত",
    booking: "বুকিং",
    provider: "সেবাদাতা",
    when: "সময়",
    method: "পেমেন্ট",
    item: "বিবরণ",
    amount: "পরিমাণ",
  },
} as const;

export function registerReceipt(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const me = caller(c);
    const m = await first(pgReader(c.env, `booking:${id}`), BOOKING_MONEY, { booking_id: id });
    if (!m || (me.role !== "admin" && m.customer_id !== me.userId && m.provider_user_id !== me.userId)) {
      throw new ApiError("not_found");
    }
    const cash = m.payment_method === "cash";
    const paid = cash ? m.captured_poisha : m.captured_poisha - m.refunded_poisha;
    const items: z.infer<typeof Item>[] = [
      {
        kind: m.status === "CANCELED" && m.fee_poisha > 0 ? "late_cancel_fee" : "service",
        amount_poisha: m.status === "CANCELED" ? m.fee_poisha : m.price_poisha,
      },
      ...(m.refunded_poisha > 0 && m.status !== "CANCELED"
        ? [{ kind: "refund" as const, amount_poisha: -m.refunded_poisha }]
        : []),
      { kind: "commission", amount_poisha: -m.commission_poisha },
      // A cash job's share stayed in the provider's hand; the commission on it is owed (netted from a payout).
      { kind: "provider_share", amount_poisha: cash ? paid - m.commission_poisha : m.provider_share_poisha },
    ];
    if (c.req.valid("query").format === "html") {
      const lang = c.var.lang;
      const L = LABELS[lang];
      c.header("Content-Security-Policy", PAGE_CSP);
      return c.html(
        page({
          lang,
          title: L.title,
          facts: [
            [L.booking, `#${m.booking_id} · ${m.service_type}`],
            [L.provider, m.provider_name],
            [L.when, `${dhakaTime(m.start_date, lang)} – ${dhakaTime(m.end_date, lang)}`],
            [L.method, m.payment_method],
          ],
          head: [L.item, L.amount],
          rows: items.map((i) => [L[i.kind], taka(i.amount_poisha, lang)]),
          totals: [[L.paid, taka(paid, lang)]],
        }),
        200,
      );
    }
    return c.json(
      {
        booking_id: m.booking_id,
        service_type: m.service_type,
        status: m.status,
        payment_method: m.payment_method,
        start_date: m.start_date.toISOString(),
        end_date: m.end_date.toISOString(),
        currency: "BDT" as const,
        items,
        paid_poisha: paid,
        commission_bps: m.commission_bps,
      },
      200,
    );
  });
}
