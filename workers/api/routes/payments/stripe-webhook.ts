// POST /payments/webhooks/stripe: Stripe's word on a PaymentIntent, accepted only with a valid, fresh signature,
// applied once per event id, and only as forward moves of the ledger, by the booking's provider object (the one
// writer of payments).
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { ApiError } from "../../../../lib/errors";
import { verifyStripeSignature } from "../../../../platform/payments/stripe-signature";
import { first, rows } from "../../../../platform/pg/sql";
import { type App, defineRoute } from "../../openapi";
import { PAYMENT_BY_REF, RECORD_WEBHOOK } from "../../queries/payments";

const RETRY = { "Retry-After": "1" };

const Received = z.object({ received: z.literal(true), duplicate: z.boolean() }).openapi("WebhookReceived");

const route = defineRoute({
  operationId: "receiveStripeWebhook",
  rawBody: true,
  method: "post",
  path: "/webhooks/stripe",
  tags: ["payments"],
  summary: "Stripe webhook (signed)",
  description:
    "Verifies Stripe-Signature over the raw body (HMAC-SHA256, 300 s tolerance). Redelivered events answer 200 without effect.",
  request: {
    headers: z.object({
      "stripe-signature": z
        .string()
        .max(2048)
        .openapi({ description: "t=<unix seconds>,v1=<HMAC-SHA256 of `t.body` with the endpoint secret>" }),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          // Documented without a validator: the signature is checked over the raw bytes before anything is parsed.
          schema: {
            type: "object",
            description: "A Stripe Event (https://docs.stripe.com/api/events/object); only these fields are read.",
            properties: {
              id: { type: "string", example: "evt_3QqT1x2eZvKYlo2C0a1b2c3d" },
              type: { type: "string", example: "payment_intent.amount_capturable_updated" },
              data: {
                type: "object",
                properties: {
                  object: {
                    type: "object",
                    properties: {
                      id: { type: "string", example: "pi_3QqT1x2eZvKYlo2C1x2y3z4w" },
                      object: { type: "string", example: "payment_intent" },
                      amount_received: { type: "integer", minimum: 0 },
                    },
                  },
                },
              },
            },
            required: ["id", "type"],
          },
          example: {
            id: "evt_3QqT1x2eZvKYlo2C0a1b2c3d",
            type: "payment_intent.amount_capturable_updated",
            data: { object: { id: "pi_3QqT1x2eZvKYlo2C1x2y3z4w", object: "payment_intent", amount_received: 0 } },
          },
        },
      },
    },
  },
  responses: {
    200: { description: "Accepted", content: { "application/json": { schema: Received } } },
  },
});

/** The part of a Stripe event we read; anything else in it is ignored. */
const StripeEvent = z.object({
  id: z.string().min(1).max(255),
  type: z.string().max(100),
  data: z
    .object({
      object: z
        .object({
          id: z.string().max(255).optional(),
          object: z.string().optional(),
          amount_received: z.number().int().nonnegative().optional(),
        })
        .optional(),
    })
    .optional(),
});

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
        details: { kind: "signature", reason: check.reason },
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ApiError("invalid_input", { message: "malformed_json" });
    }
    const parsed = StripeEvent.safeParse(json);
    if (!parsed.success) throw new ApiError("invalid_input");
    const event = parsed.data;
    const intent = event.data?.object;
    const ref = intent?.object === "payment_intent" ? intent.id : undefined;
    // The payment's own object records the event and moves its ledger, under the lock its steps take: a webhook
    // and a cancel of the same booking never interleave. An event for no payment of ours is only recorded.
    const owner = ref
      ? await first(pgReader(c.env, `payment:stripe:${ref}`), PAYMENT_BY_REF, { gateway: "stripe", ref })
      : undefined;
    if (ref && owner) {
      const applied = await providerBookings(c.env, owner.provider_id).stripeEvent({
        providerId: owner.provider_id,
        bookingId: owner.booking_id,
        eventId: event.id,
        eventType: event.type,
        ref,
        amountReceived: intent?.amount_received ?? null,
      });
      // Not applied (Postgres unreachable): a 503 makes Stripe deliver the event again later.
      if ("error" in applied) {
        throw new ApiError(applied.error, applied.error === "dependency_unavailable" ? { headers: RETRY } : {});
      }
      return c.json({ received: true as const, duplicate: applied.duplicate }, 200);
    }
    const recorded = await rows(pgReader(c.env, `webhook:${event.id}`), RECORD_WEBHOOK, {
      provider: "stripe",
      event_id: event.id,
      event_type: event.type,
    });
    return c.json({ received: true as const, duplicate: recorded.length === 0 }, 200);
  });
}
