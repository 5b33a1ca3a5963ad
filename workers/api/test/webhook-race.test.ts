// One writer for money: a Stripe webhook and a cancel of the same card booking, fired at once, are serialized by
// the provider's object, so whichever lands first, the ledger moves once and agrees with the booking.
import { describe, expect, it } from "vitest";
import { acceptedBooking, call, idemKey, paymentEventKinds, paymentOf, sql } from "./helpers";
import { deliverStripe, intentEvent, signStripe } from "./stripe";

/** How long each round's cancel waits after the webhook leaves: from together to the webhook likely first. */
const CANCEL_DELAYS_MS = [0, 5, 15, 40, 80, 0];
const ROUNDS = CANCEL_DELAYS_MS.length;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A card booking the customer confirmed: its payment is an authorized hold at Stripe. */
async function heldCardBooking() {
  const { customer, id } = await acceptedBooking("card");
  const confirmed = await call(`/booking/bookings/${id}/confirm`, {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
  });
  expect(confirmed.status).toBe(200);
  const payment = await paymentOf(id);
  expect(payment?.status).toBe("authorized");
  return { customer, id, ref: payment?.gateway_ref as string };
}

/** The ledger's invariants for one booking: amounts within bounds, and no move recorded twice. */
async function ledgerOf(bookingId: number) {
  const [row] = await sql<{ status: string; amount: string; captured: string; refunded: string; booking: string }>(
    `SELECT y.status, y.amount_poisha AS amount, y.captured_poisha AS captured, y.refunded_poisha AS refunded,
            b.status AS booking
       FROM payments y JOIN bookings b ON b.id = y.booking_id WHERE y.booking_id = $1`,
    [bookingId],
  );
  if (!row) throw new Error("no payment");
  const amount = Number(row.amount);
  const captured = Number(row.captured);
  const refunded = Number(row.refunded);
  expect(captured).toBeLessThanOrEqual(amount);
  expect(refunded).toBeLessThanOrEqual(captured);
  // The journal agrees with the payment whichever landed first: what Stripe holds for us is what was kept.
  const [clearing] = await sql<{ s: string }>(
    "SELECT coalesce(sum(amount_poisha), 0)::text AS s FROM ledger_lines WHERE booking_id = $1 AND account = 'gateway_clearing'",
    [bookingId],
  );
  expect(Number(clearing?.s)).toBe(captured - refunded);
  return { status: row.status, booking: row.booking, captured, refunded, kinds: await paymentEventKinds(bookingId) };
}

/**
 * Delivers `type` for a freshly held card booking while its customer cancels it. The webhook's way (signature,
 * owner lookup, object) is longer than the cancel's: staggering the cancel by round lets either reach the lock first.
 */
async function raceCancel(type: string, round: number) {
  const { customer, id, ref } = await heldCardBooking();
  const payload = intentEvent(type, ref);
  const signature = await signStripe(payload);
  const [hooked, canceled] = await Promise.all([
    deliverStripe(payload, signature),
    pause(CANCEL_DELAYS_MS[round] ?? 0).then(() =>
      call(`/booking/bookings/${id}/cancel`, { method: "POST", token: customer.access, headers: idemKey() }),
    ),
  ]);
  return { id, payload, hooked, canceled };
}

describe("a Stripe webhook racing a cancel of the same card booking", () => {
  it("leaves one consistent ledger whichever lands first: voided once, the booking CANCELED", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id, payload, hooked, canceled } = await raceCancel("payment_intent.canceled", round);

      expect(hooked.status).toBe(200);
      expect(await hooked.json()).toEqual({ received: true, duplicate: false });
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({ status: "CANCELED", payment: { status: "voided", captured_poisha: 0 } });

      const ledger = await ledgerOf(id);
      expect(ledger).toMatchObject({ status: "voided", booking: "CANCELED", captured: 0, refunded: 0 });
      // The hold was placed once, and released once: by the cancel's void or by the webhook, never both.
      expect(ledger.kinds.slice(0, 2)).toEqual(["hold_started", "hold"]);
      const releases = ledger.kinds.slice(2);
      expect(releases).toHaveLength(1);
      expect(["void", "webhook:payment_intent.canceled"]).toContain(releases[0]);

      // A redelivery afterwards changes nothing.
      const again = await deliverStripe(payload, await signStripe(payload));
      expect(await again.json()).toEqual({ received: true, duplicate: true });
      expect((await ledgerOf(id)).kinds).toEqual(ledger.kinds);
    }
    // Six full bookings, each raced: slow on a loaded machine, and its time says nothing about the behaviour.
  }, 90_000);

  it("never leaves money captured on a cancelled booking when payment_intent.succeeded races the cancel", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id, hooked, canceled } = await raceCancel("payment_intent.succeeded", round);
      expect(hooked.status).toBe(200);
      const ledger = await ledgerOf(id);
      // Either the cancel went first (voided; the webhook's move from authorized no longer applies), or the
      // webhook did (captured), and then the booking is what the ledger says: a cancel answered with the state.
      if (ledger.status === "voided") {
        expect(canceled.status).toBe(200);
        expect(ledger.booking).toBe("CANCELED");
        expect(ledger.kinds.slice(2)).toEqual(["void"]);
      } else {
        expect(ledger.kinds.slice(2, 3)).toEqual(["webhook:payment_intent.succeeded"]);
        expect(ledger.kinds.filter((k) => k === "webhook:payment_intent.succeeded")).toHaveLength(1);
        expect(ledger.booking === "CANCELED").toBe(canceled.status === 200);
        if (ledger.booking === "CANCELED") expect(ledger.refunded).toBe(ledger.captured);
        else expect(ledger.status).toBe("captured");
      }
    }
  }, 90_000);
});
