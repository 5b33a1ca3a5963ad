// POST /payments/webhooks/stripe: Stripe's word on a PaymentIntent, accepted only with a valid, fresh signature,
// applied once per event id, and only as forward moves of the ledger that the booking engine would also make.
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { verifyStripeSignature } from "../../../../platform/payments/stripe-signature";
import { type App, errorResponses } from "../../openapi";

const Received = z.object({ received: z.literal(true), duplicate: z.boolean() }).openapi("WebhookReceived");

const route = createRoute({
  method: "post",
  path: "/webhooks/stripe",
  tags: ["payments"],
  summary: "Stripe webhook (signed)",
  description:
    "Verifies Stripe-Signature over the raw body (HMAC-SHA256, 300 s tolerance). Redelivered events answer 200 without effect.",
  responses: {
    200: { description: "Accepted", content: { "application/json": { schema: Received } } },
    ...errorResponses(400),
  },
});

interface StripeEvent {
  id: string;
  type: string;
  data: { object: { id?: string; object?: string; amount_received?: number } };
}

/** Which ledger move an event asks for: [to status, allowed from statuses]. Others are acknowledged and ignored. */
const MOVES: Record<string, [string, string[]]> = {
  "payment_intent.canceled": ["voided", ["authorized", "requires_action"]],
  "payment_intent.payment_failed": ["failed", ["requires_action"]],
  "payment_intent.succeeded": ["captured", ["authorized"]],
};

/**
 * Records the event once ($1 id, $2 type) and, only when it is new, moves the payment known by $3 to $4 from one of
 * $5 (captured amount from $6), with its history row ($7 kind, $8 meta). Answers whether the event was new.
 */
const APPLY_EVENT = `
  WITH seen AS (
    INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('stripe', $1, $2)
    ON CONFLICT DO NOTHING RETURNING 1
  ),
  up AS (
    UPDATE payments SET status = $4,
           captured_poisha = CASE WHEN $4 = 'captured' THEN LEAST(COALESCE($6::bigint, amount_poisha), amount_poisha)
                                  ELSE captured_poisha END
     WHERE EXISTS (SELECT 1 FROM seen) AND $4::text IS NOT NULL
       AND gateway = 'stripe' AND gateway_ref = $3 AND status = ANY($5::text[])
    RETURNING id
  ),
  history AS (
    INSERT INTO payment_events (payment_id, kind, gateway_ref, meta) SELECT id, $7, $3, $8::jsonb FROM up
  )
  SELECT EXISTS (SELECT 1 FROM seen) AS fresh`;

export function registerStripeWebhook(app: App) {
  app.openapi(route, async (c) => {
    const raw = await c.req.text();
    const check = await verifyStripeSignature(
      c.req.header("stripe-signature"),
      raw,
      c.var.config.STRIPE_WEBHOOK_SECRET,
    );
    if (!check.ok) {
      throw new ApiError("invalid_input", {
        message: { en: "Invalid Stripe signature.", bn: "Stripe স্বাক্ষর সঠিক নয়।" },
        details: { reason: check.reason },
      });
    }
    let event: StripeEvent;
    try {
      event = JSON.parse(raw) as StripeEvent;
    } catch {
      throw new ApiError("invalid_input", { message: "malformed_json" });
    }
    const amount = event.data?.object?.amount_received;
    if (
      typeof event.id !== "string" ||
      event.id.length === 0 ||
      event.id.length > 255 ||
      typeof event.type !== "string" ||
      event.type.length > 100 ||
      (amount !== undefined && !(Number.isSafeInteger(amount) && amount >= 0))
    ) {
      throw new ApiError("invalid_input");
    }
    const move = MOVES[event.type];
    const ref = event.data?.object?.object === "payment_intent" ? (event.data.object.id ?? null) : null;
    const [to, from] = move && ref ? move : [null, []];
    // Recording the event and applying it are one statement, through a warm connection: atomic, and cheap at
    // Stripe's rate of several events per payment.
    const rows = await pgReader(c.env, `webhook:${event.id}`).read(APPLY_EVENT, [
      event.id,
      event.type,
      ref,
      to,
      `{${from.join(",")}}`,
      amount ?? null,
      `webhook:${event.type}`,
      JSON.stringify({ event_id: event.id }),
    ]);
    const duplicate = !rows[0]?.fresh;
    return c.json({ received: true as const, duplicate }, 200);
  });
}
