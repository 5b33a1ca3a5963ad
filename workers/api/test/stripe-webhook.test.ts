import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, login, makeProvider, sql, window } from "./helpers";

async function sign(payload: string, t = Math.floor(Date.now() / 1000), secret = env.STRIPE_WEBHOOK_SECRET as string) {
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

const deliver = (payload: string, signature: string | undefined) =>
  exports.default.fetch("http://api.test/payments/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    body: payload,
  });

/** A confirmed card booking, so there is an authorized payment to move. */
async function heldPayment() {
  const p = await makeProvider();
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: { "idempotency-key": crypto.randomUUID() },
    body: {
      provider_id: p.providerId,
      service_type: "driver",
      payment_method: "card",
      payment_method_id: "pm_card_visa",
      ...window(50),
    },
  });
  const id = created.body.id as number;
  await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
  await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access });
  const [row] = await sql<{ gateway_ref: string }>("SELECT gateway_ref FROM payments WHERE booking_id = $1", [id]);
  return { id, ref: row?.gateway_ref as string };
}

const event = (type: string, ref: string) =>
  JSON.stringify({
    id: `evt_${crypto.randomUUID().replace(/-/g, "")}`,
    object: "event",
    type,
    data: { object: { id: ref, object: "payment_intent" } },
  });

describe("POST /payments/webhooks/stripe", () => {
  it("applies a correctly signed event once, and acknowledges a redelivery without effect", async () => {
    const { id, ref } = await heldPayment();
    const payload = event("payment_intent.canceled", ref);
    const first = await deliver(payload, await sign(payload));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const [p] = await sql<{ status: string }>("SELECT status FROM payments WHERE booking_id = $1", [id]);
    expect(p?.status).toBe("voided");
    const again = await deliver(payload, await sign(payload));
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    const events = await sql(
      "SELECT 1 FROM payment_events e JOIN payments y ON y.id = e.payment_id WHERE y.booking_id = $1 AND e.kind LIKE 'webhook:%'",
      [id],
    );
    expect(events).toHaveLength(1);
  });

  it("refuses a forged signature, a tampered body, a stale timestamp and a missing header", async () => {
    const { id, ref } = await heldPayment();
    const payload = event("payment_intent.canceled", ref);
    const forged = await deliver(payload, await sign(payload, undefined, "whsec_someone_else"));
    expect(forged.status).toBe(400);
    const tampered = await deliver(payload.replace("canceled", "succeeded"), await sign(payload));
    expect(tampered.status).toBe(400);
    const stale = await deliver(payload, await sign(payload, Math.floor(Date.now() / 1000) - 301));
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as { error: { details: unknown } }).error.details).toEqual({ reason: "stale" });
    expect((await deliver(payload, undefined)).status).toBe(400);
    const [p] = await sql<{ status: string }>("SELECT status FROM payments WHERE booking_id = $1", [id]);
    expect(p?.status).toBe("authorized");
  });

  it("accepts any matching v1 among several, as during a secret rotation", async () => {
    const { ref } = await heldPayment();
    const payload = event("payment_intent.amount_capturable_updated", ref);
    const good = await sign(payload);
    const [t, v1] = good.split(",");
    const res = await deliver(payload, `${t},v1=${"0".repeat(64)},${v1}`);
    expect(res.status).toBe(200);
  });
});
