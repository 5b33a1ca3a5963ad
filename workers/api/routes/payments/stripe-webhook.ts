// POST /payments/webhooks/stripe: Stripe's word on a PaymentIntent, accepted only with a valid, fresh signature,
// applied once per event id, and only as forward moves of the ledger that the booking engine would also make.
import { createRoute, z } from "@hono/zod-openapi";
import { withTransaction } from "../../../../db/tx";
import { ApiError } from "../../../../lib/errors";
import { type App, errorResponses } from "../../openapi";
import { verifyStripeSignature } from "../../payments/stripe-signature";

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
    if (typeof event.id !== "string" || typeof event.type !== "string") throw new ApiError("invalid_input");
    const duplicate = await withTransaction(c.var.services.pool(), async (tx) => {
      const seen = await tx.query(
        "INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('stripe', $1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        [event.id, event.type],
      );
      if (!seen.rowCount) return true;
      const move = MOVES[event.type];
      const ref = event.data?.object?.object === "payment_intent" ? event.data.object.id : undefined;
      if (move && ref) {
        const [to, from] = move;
        await tx.query(
          `WITH up AS (
             UPDATE payments SET status = $2,
                    captured_poisha = CASE WHEN $2 = 'captured' THEN LEAST(COALESCE($4, amount_poisha), amount_poisha)
                                           ELSE captured_poisha END
              WHERE gateway = 'stripe' AND gateway_ref = $1 AND status = ANY($3::text[])
              RETURNING id)
           INSERT INTO payment_events (payment_id, kind, gateway_ref, meta)
           SELECT id, $5, $1, $6 FROM up`,
          [
            ref,
            to,
            from,
            event.data.object.amount_received ?? null,
            `webhook:${event.type}`,
            JSON.stringify({ event_id: event.id }),
          ],
        );
      }
      return false;
    });
    return c.json({ received: true as const, duplicate }, 200);
  });
}
