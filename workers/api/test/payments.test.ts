import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  acceptedBooking,
  call,
  errorCode,
  idemKey,
  type Json,
  login,
  makeProvider,
  paymentEventKinds,
  paymentOf,
  sql,
  startNow,
  window,
} from "./helpers";
import { deliverStripe, intentEvent, signStripe } from "./stripe";

async function confirmedCard(pm = "pm_card_visa", hoursAhead = 48) {
  const { p, customer, id } = await acceptedBooking("card", { pm, hoursAhead });
  const confirm = await call(`/booking/bookings/${id}/confirm`, {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
  });
  return { p, customer, id, confirm };
}

async function intent(ref: string): Promise<Json> {
  const res = await fetch(`${env.STRIPE_API_URL}/v1/payment_intents/${ref}`, {
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  });
  return (await res.json()) as Json;
}

/** The hold ends at Stripe (cancelled there, or lapsed) and Stripe says so with a signed webhook. */
async function lapse(ref: string): Promise<void> {
  const cancel = await fetch(`${env.STRIPE_API_URL}/v1/payment_intents/${ref}/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  });
  expect(cancel.status).toBe(200);
  const payload = intentEvent("payment_intent.canceled", ref);
  expect((await deliverStripe(payload, await signStripe(payload))).status).toBe(200);
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
    await startNow(id);
    expect(
      (await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access })).body,
    ).toMatchObject({ status: "COMPLETED" });
    expect(await paymentOf(id)).toMatchObject({ status: "captured", captured_poisha: "50000" });
    expect(await intent(held?.gateway_ref as string)).toMatchObject({ status: "succeeded", amount_received: 50_000 });
  });

  it("replays a confirm with the same body, payment included, and never holds twice", async () => {
    const { customer, id } = await acceptedBooking("card");
    const k = idemKey();
    const first = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(first.body).toMatchObject({ status: "CONFIRMED", payment: { status: "authorized", gateway: "stripe" } });
    const again = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await paymentEventKinds(id)).filter((k) => k === "hold")).toHaveLength(1);
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
      headers: { ...idemKey(), "accept-language": "bn" },
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
    await startNow(id);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await paymentEventKinds(id)).toEqual(["hold_started", "hold", "capture"]);
  });

  it("holds the saved card again and captures it when the hold was cancelled before completion", async () => {
    const { p, customer, id } = await confirmedCard();
    const old = (await paymentOf(id))?.gateway_ref as string;
    await lapse(old);
    expect(await paymentOf(id)).toMatchObject({ status: "voided", captured_poisha: "0" });
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("CONFIRMED");

    await startNow(id);
    const done = await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "COMPLETED", payment: { status: "captured", captured_poisha: 50_000 } });
    const paid = await paymentOf(id);
    expect(paid).toMatchObject({ status: "captured", captured_poisha: "50000", attempts: 2 });
    expect(paid?.gateway_ref).not.toBe(old);
    expect(await intent(paid?.gateway_ref as string)).toMatchObject({ status: "succeeded", amount_received: 50_000 });
    expect((await paymentEventKinds(id)).slice(-2)).toEqual(["hold_again", "capture"]);
  });

  it("answers 402 and keeps the booking CONFIRMED when the card declines the new hold at completion", async () => {
    const { p, customer, id } = await confirmedCard();
    await lapse((await paymentOf(id))?.gateway_ref as string);
    await sql("UPDATE bookings SET payment_method_id = 'pm_card_chargeDeclined' WHERE id = $1", [id]);
    await startNow(id);
    const refused = await call(`/booking/bookings/${id}/complete`, {
      method: "POST",
      token: p.user.access,
      headers: idemKey(),
    });
    expect(refused.status).toBe(402);
    expect(errorCode(refused.body)).toBe("payment_required");
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("CONFIRMED");
    expect(await paymentOf(id)).toMatchObject({ status: "voided", captured_poisha: "0" });
    // A card that works again (the customer updated it) completes under a new key, with a new gateway attempt.
    await sql("UPDATE bookings SET payment_method_id = 'pm_card_visa' WHERE id = $1", [id]);
    const done = await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
    expect(done.status).toBe(200);
    expect(await paymentOf(id)).toMatchObject({ status: "captured", captured_poisha: "50000", attempts: 3 });
  });

  it("answers 503 when Stripe is down, keeps the booking ACCEPTED, and lets the same key succeed later", async () => {
    const { customer, id } = await acceptedBooking("card", { hoursAhead: 30 });
    await fetch(`${env.STRIPE_API_URL}/__sim/fail`, {
      method: "POST",
      body: JSON.stringify({ mode: "500", count: 1 }),
    });
    const k = idemKey();
    const down = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(down.status).toBe(503);
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("ACCEPTED");
    const again = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access, headers: k });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("CONFIRMED");
  });

  it("holds nothing for cash and records the amount as due at completion", async () => {
    const { p, customer, id } = await acceptedBooking("cash", { hoursAhead: 6 });
    await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access });
    expect(await paymentOf(id)).toBeUndefined();
    await startNow(id);
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
    const res = await call("/booking/bookings", { method: "POST", token: customer.access, headers: idemKey(), body });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe("invalid_input");
  });
});
