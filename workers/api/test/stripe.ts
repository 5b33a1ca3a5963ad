// Stripe's side of a webhook delivery, for tests: sign a payload as Stripe does and deliver it to the worker.
import { env, exports } from "cloudflare:workers";

/** A Stripe-Signature header for `payload` at time `t` (HMAC-SHA256 over "t.payload"). */
export async function signStripe(
  payload: string,
  t = Math.floor(Date.now() / 1000),
  secret = env.STRIPE_WEBHOOK_SECRET as string,
) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${payload}`)));
  return `t=${t},v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const deliverStripe = (payload: string, signature: string | undefined) =>
  exports.default.fetch("http://api.test/payments/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    body: payload,
  });

/** A fresh event of `type` about the PaymentIntent `ref`. */
export const intentEvent = (type: string, ref: string) =>
  JSON.stringify({
    id: `evt_${crypto.randomUUID().replace(/-/g, "")}`,
    object: "event",
    type,
    data: { object: { id: ref, object: "payment_intent" } },
  });
