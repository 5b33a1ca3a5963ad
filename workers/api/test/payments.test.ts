import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorCode, type Json, login, makeProvider, sql, window } from "./helpers";

const key = () => ({ "idempotency-key": crypto.randomUUID() });

/** A card booking the provider has accepted: the next step is the customer's confirm, which places the hold. */
async function acceptedCard(pm = "pm_card_visa", hoursAhead = 48) {
  const p = await makeProvider();
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: key(),
    body: {
      provider_id: p.providerId,
      service_type: "driver",
      payment_method: "card",
      payment_method_id: pm,
      ...window(hoursAhead, 2),
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  expect((await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access })).status).toBe(200);
  return { p, customer, id };
}

async function confirmedCard(pm = "pm_card_visa", hoursAhead = 48) {
  const { p, customer, id } = await acceptedCard(pm, hoursAhead);
  const confirm = await call(`/booking/bookings/${id}/confirm`, {
    method: "POST",
    token: customer.access,
    headers: key(),
  });
  return { p, customer, id, confirm };
}

const paymentOf = async (bookingId: number) =>
  (
    await sql<{ status: string; amount_poisha: string; captured_poisha: string; gateway_ref: string | null }>(
      "SELECT status, amount_poisha, captured_poisha, gateway_ref FROM payments WHERE booking_id = $1",
      [bookingId],
    )
  )[0];

async function intent(ref: string): Promise<Json> {
  const res = await fetch(`${env.STRIPE_API_URL}/v1/payment_intents/${ref}`, {
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  });
  return (await res.json()) as Json;
}

describe("card payments (Stripe, manual capture)", () => {
  it("holds on confirm and captures on completion", async () => {
    const { p, id, confirm } = await confirmedCard();
    expect(confirm.body).toMatchObject({ status: "CONFIRMED" });
    const held = await paymentOf(id);
    expect(held).toMatchObject({ status: "authorized", amount_poisha: "50000", captured_poisha: "0" });
    expect(await intent(held?.gateway_ref as string)).toMatchObject({
      status: "requires_capture",
      amount: 50_000,
      currency: "bdt",
    });
    await sql(
      "UPDATE bookings SET start_date = now() - interval '1 minute', end_date = now() + interval '1 hour' WHERE id = $1",
      [id],
    );
    expect(
      (await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access })).body,
    ).toMatchObject({ status: "COMPLETED" });
    expect(await paymentOf(id)).toMatchObject({ status: "captured", captured_poisha: "50000" });
    expect(await intent(held?.gateway_ref as string)).toMatchObject({ status: "succeeded", amount_received: 50_000 });
  });

  it("replays a confirm with the same body, payment included, and never holds twice", async () => {
    const { customer, id } = await acceptedCard();
    const k = key();
    const first = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(first.body).toMatchObject({ status: "CONFIRMED", payment: { status: "authorized", gateway: "stripe" } });
    const again = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const holds = await sql<{ kind: string }>(
      "SELECT e.kind FROM payment_events e JOIN payments y ON y.id = e.payment_id WHERE y.booking_id = $1 AND e.kind = 'hold'",
      [id],
    );
    expect(holds).toHaveLength(1);
  });

  it("answers a declined card with 402 in the caller's language and leaves the booking ACCEPTED", async () => {
    const { customer, id, confirm } = await confirmedCard("pm_card_chargeDeclined");
    expect(confirm.status).toBe(402);
    expect((confirm.body.error as { message: string }).message).toContain("declined");
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("ACCEPTED");
    expect(await paymentOf(id)).toMatchObject({ status: "failed" });
    const poor = await confirmedCard("pm_card_chargeDeclinedInsufficientFunds");
    expect(poor.confirm.status).toBe(402);
    const bn = await call(`/booking/bookings/${poor.id}/confirm`, {
      method: "POST",
      token: poor.customer.access,
      headers: { ...key(), "accept-language": "bn" },
    });
    expect((bn.body.error as { message: string }).message).toContain("পর্যাপ্ত");
  });

  it("releases the hold on an early cancel, and takes one hour of the rate on a late one", async () => {
    const early = await confirmedCard("pm_card_visa", 48);
    const canceled = await call(`/booking/bookings/${early.id}/cancel`, {
      method: "POST",
      token: early.customer.access,
    });
    expect(canceled.body).toMatchObject({ status: "CANCELED", fee_poisha: 0 });
    const voided = await paymentOf(early.id);
    expect(voided).toMatchObject({ status: "voided", captured_poisha: "0" });
    expect(await intent(voided?.gateway_ref as string)).toMatchObject({ status: "canceled" });

    const late = await confirmedCard("pm_card_visa", 3);
    await call(`/booking/bookings/${late.id}/cancel`, { method: "POST", token: late.customer.access });
    expect(await paymentOf(late.id)).toMatchObject({ status: "captured", captured_poisha: "25000" });
  });

  it("captures once when completes race", async () => {
    const { p, id } = await confirmedCard();
    await sql(
      "UPDATE bookings SET start_date = now() - interval '1 minute', end_date = now() + interval '1 hour' WHERE id = $1",
      [id],
    );
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const events = await sql<{ kind: string }>(
      "SELECT e.kind FROM payment_events e JOIN payments y ON y.id = e.payment_id WHERE y.booking_id = $1 ORDER BY e.id",
      [id],
    );
    expect(events.map((e) => e.kind)).toEqual(["hold_started", "hold", "capture"]);
  });

  it("answers 503 when Stripe is down, keeps the booking ACCEPTED, and lets the same key succeed later", async () => {
    const { customer, id } = await acceptedCard("pm_card_visa", 30);
    await fetch(`${env.STRIPE_API_URL}/__sim/fail`, {
      method: "POST",
      body: JSON.stringify({ mode: "500", count: 1 }),
    });
    const k = key();
    const down = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(down.status).toBe(503);
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("ACCEPTED");
    const again = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("CONFIRMED");
  });

  it("holds nothing for cash and records the amount as due at completion", async () => {
    const p = await makeProvider();
    const customer = await login();
    const created = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: key(),
      body: { provider_id: p.providerId, service_type: "driver", ...window(6, 2) },
    });
    const id = created.body.id as number;
    await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
    await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access });
    expect(await paymentOf(id)).toBeUndefined();
    await sql(
      "UPDATE bookings SET start_date = now() - interval '1 minute', end_date = now() + interval '1 hour' WHERE id = $1",
      [id],
    );
    await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
    expect(await paymentOf(id)).toMatchObject({
      status: "captured",
      amount_poisha: "50000",
      captured_poisha: "50000",
      gateway_ref: null,
    });
  });

  it("refuses a card booking without a payment method id", async () => {
    const p = await makeProvider();
    const customer = await login();
    const body = { provider_id: p.providerId, service_type: "driver", ...window(10), payment_method: "card" };
    const res = await call("/booking/bookings", { method: "POST", token: customer.access, headers: key(), body });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe("invalid_input");
  });
});
