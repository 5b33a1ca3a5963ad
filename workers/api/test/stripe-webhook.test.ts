import { describe, expect, it } from "vitest";
import { call, login, makeProvider, sql, window } from "./helpers";
import { deliverStripe as deliver, intentEvent as event, signStripe as sign } from "./stripe";

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
    expect(((await stale.json()) as { error: { details: unknown } }).error.details).toEqual({
      kind: "signature",
      reason: "stale",
    });
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

  it("records an event for a PaymentIntent that is none of ours once, acknowledges it, and moves nothing", async () => {
    const { id } = await heldPayment();
    const payload = event("payment_intent.canceled", `pi_unknown_${crypto.randomUUID().slice(0, 8)}`);
    const first = await deliver(payload, await sign(payload));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const again = await deliver(payload, await sign(payload));
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    const eventId = (JSON.parse(payload) as { id: string }).id;
    expect(
      await sql("SELECT 1 FROM webhook_events WHERE provider = 'stripe' AND event_id = $1", [eventId]),
    ).toHaveLength(1);
    const [p] = await sql<{ status: string }>("SELECT status FROM payments WHERE booking_id = $1", [id]);
    expect(p?.status).toBe("authorized");
  });
});
