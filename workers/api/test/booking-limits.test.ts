// Slot hoarding and fee evasion closed (issue #19 item 4): caps on open requests per customer and per provider-day,
// a booking horizon, acceptances that lapse unless confirmed, and no late fee reported where nothing is held.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providerBookings } from "../../../durable-objects/provider-bookings/client";
import type { ProviderBookings } from "../../../durable-objects/provider-bookings/provider-bookings";
import { BOOKING_LIMITS } from "../../../lib/policy";
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
  type Session,
  sql,
  window,
} from "./helpers";

const create = (who: Session, body: Json, headers: Record<string, string> = idemKey()) =>
  call("/booking/bookings", { method: "POST", token: who.access, body, headers });
const step = (who: Session, id: number, action: string) =>
  call(`/booking/bookings/${id}/${action}`, { method: "POST", token: who.access, headers: idemKey() });
const booking = (providerId: number, w: { start_date: string; end_date: string }) => ({
  provider_id: providerId,
  service_type: "driver",
  ...w,
});

/** Hours ahead of the next Dhaka midnight at least `days` days from now: a start inside one known Dhaka day. */
function dhakaDayHours(days: number): number {
  const dhakaNow = Date.now() + 6 * 3_600_000;
  const nextMidnight = Math.ceil(dhakaNow / 86_400_000) * 86_400_000;
  return Math.ceil((nextMidnight - dhakaNow) / 3_600_000) + days * 24;
}

/** Lets the object's alarm see the booking as due (its deadline passed), in the cache and in Postgres alike. */
async function pastDeadline(providerId: number, bookingId: number): Promise<void> {
  await sql("UPDATE bookings SET confirm_deadline = now() - interval '1 second' WHERE id = $1", [bookingId]);
  await runInDurableObject(providerBookings(env, providerId), (_i: ProviderBookings, state) => {
    state.storage.sql.exec("UPDATE active SET deadline_ms = ? WHERE id = ?", Date.now() - 1, bookingId);
  });
}

const outboxTypes = async (bookingId: number) =>
  (
    await sql<{ type: string }>(
      "SELECT payload->>'type' AS type FROM outbox WHERE (payload->>'id')::bigint = $1 ORDER BY id",
      [bookingId],
    )
  ).map((r) => r.type);

describe("caps on open requests", () => {
  it("refuses a customer's request past the PENDING cap across providers with 429, and takes it once one is answered", async () => {
    const [a, b] = [await makeProvider(), await makeProvider()];
    const customer = await login();
    const ids: number[] = [];
    for (let i = 0; i < BOOKING_LIMITS.pendingPerCustomer; i++) {
      const res = await create(customer, booking(i % 2 ? a.providerId : b.providerId, window(30 + i * 30)));
      expect(res.status).toBe(201);
      ids.push(res.body.id as number);
    }
    const key = idemKey();
    const over = await create(customer, booking(a.providerId, window(500)), key);
    expect(over.status).toBe(429);
    expect(errorCode(over.body)).toBe("rate_limited");
    expect(over.body.error).toMatchObject({
      details: { kind: "limit", name: "pending_per_customer", limit: BOOKING_LIMITS.pendingPerCustomer },
    });
    const bn = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      body: booking(a.providerId, window(500)),
      headers: { ...key, "accept-language": "bn" },
    });
    expect((bn.body.error as { message: string }).message).toMatch(/[\u0980-\u09ff]/);

    // An answer frees a place: the same request under the same key goes through now (the 429 was not stored).
    expect((await step(b.user, ids[0] as number, "decline")).status).toBe(200);
    const again = await create(customer, booking(a.providerId, window(500)), key);
    expect(again.status).toBe(201);
  });

  it("refuses a request past the provider-day cap with 409 and takes the next Dhaka day", async () => {
    const p = await makeProvider();
    const day = dhakaDayHours(3);
    const customers = await Promise.all(
      Array.from({ length: BOOKING_LIMITS.pendingPerProviderDay + 1 }, () => login()),
    );
    for (let i = 0; i < BOOKING_LIMITS.pendingPerProviderDay; i++) {
      const res = await create(customers[i] as Session, booking(p.providerId, window(day + i * 2, 1)));
      expect(res.status).toBe(201);
    }
    const last = customers.at(-1) as Session;
    const full = await create(last, booking(p.providerId, window(day + 20, 1)));
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({
      code: "conflict",
      details: { kind: "limit", name: "pending_per_provider_day", limit: BOOKING_LIMITS.pendingPerProviderDay },
    });
    expect((await create(last, booking(p.providerId, window(day + 25, 1)))).status).toBe(201);
  });

  it("refuses a booking that starts beyond the horizon with 400", async () => {
    const p = await makeProvider();
    const customer = await login();
    const far = await create(customer, booking(p.providerId, window((BOOKING_LIMITS.horizonDays + 1) * 24)));
    expect(far.status).toBe(400);
    expect(far.body.error).toMatchObject({
      code: "invalid_input",
      details: { kind: "limit", name: "horizon_days", limit: BOOKING_LIMITS.horizonDays },
    });
    expect((await create(customer, booking(p.providerId, window((BOOKING_LIMITS.horizonDays - 1) * 24)))).status).toBe(
      201,
    );
  });
});

describe("an acceptance the customer never confirms", () => {
  it("carries a confirm deadline 24 h after acceptance, never past the start", async () => {
    const far = await acceptedBooking("cash", { hoursAhead: 72 });
    const view = (await call(`/booking/bookings/${far.id}`, { token: far.customer.access })).body;
    const [accepted] = await sql<{ at: Date }>(
      "SELECT created_at AS at FROM audit_log WHERE booking_id = $1 AND action = 'accept'",
      [far.id],
    );
    const deadline = Date.parse(view.confirm_deadline as string);
    expect(Math.abs(deadline - (new Date(accepted?.at as Date).getTime() + 24 * 3_600_000))).toBeLessThan(5_000);

    const soon = await acceptedBooking("cash", { hoursAhead: 3 });
    const soonView = (await call(`/booking/bookings/${soon.id}`, { token: soon.customer.access })).body;
    expect(soonView.confirm_deadline).toBe(soonView.start_date);
    // The object's alarm waits for it (no later than the deadline; it may fire earlier and re-arm).
    const stub = providerBookings(env, soon.p.providerId);
    expect((await stub.cachedBookings()).map((c) => c.deadline_ms)).toEqual([
      Date.parse(soonView.start_date as string),
    ]);
    const armed = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(armed as number).toBeLessThanOrEqual(Date.parse(soonView.start_date as string));
  });

  it("lapses to EXPIRED at its deadline, publishing booking.expired and freeing the slot", async () => {
    const { p, customer, id } = await acceptedBooking("cash", { hoursAhead: 30 });
    await pastDeadline(p.providerId, id);
    expect(await runDurableObjectAlarm(providerBookings(env, p.providerId))).toBe(true);
    const view = (await call(`/booking/bookings/${id}`, { token: customer.access })).body;
    expect(view).toMatchObject({ status: "EXPIRED", canceled_by: "timer", fee_poisha: 0 });
    expect(await outboxTypes(id)).toEqual(["booking.created", "booking.accepted", "booking.expired"]);
    expect((await step(customer, id, "confirm")).status).toBe(409);
    expect(await providerBookings(env, p.providerId).cachedBookings()).toEqual([]);
  });

  it("abandons a wallet approval still in flight when it lapses", async () => {
    const { p, customer, id } = await acceptedBooking("bkash", { hoursAhead: 30 });
    const started = await step(customer, id, "confirm");
    expect(started.status).toBe(202);
    await pastDeadline(p.providerId, id);
    expect(await runDurableObjectAlarm(providerBookings(env, p.providerId))).toBe(true);
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).body.status).toBe("EXPIRED");
    expect((await paymentOf(id))?.status).not.toBe("requires_action");
    expect(await paymentEventKinds(id)).toContain("abandoned");
  });
});

describe("a late cancel with nothing held", () => {
  it("reports no fee (policy nothing_held) for an accepted booking not yet confirmed", async () => {
    const { customer, id } = await acceptedBooking("card", { hoursAhead: 3 });
    const canceled = await step(customer, id, "cancel");
    expect(canceled.body).toMatchObject({ status: "CANCELED", fee_poisha: 0 });
    const audit = await sql<{ meta: Json }>("SELECT meta FROM audit_log WHERE booking_id = $1 AND action = 'cancel'", [
      id,
    ]);
    expect(audit[0]?.meta).toMatchObject({ fee_poisha: 0, policy: "nothing_held" });
  });

  it("reports no fee for a confirmed cash booking, but still charges a late cancel of a held card", async () => {
    const cash = await acceptedBooking("cash", { hoursAhead: 3 });
    await step(cash.customer, cash.id, "confirm");
    expect((await step(cash.customer, cash.id, "cancel")).body).toMatchObject({ status: "CANCELED", fee_poisha: 0 });

    const card = await acceptedBooking("card", { hoursAhead: 3 });
    await step(card.customer, card.id, "confirm");
    expect((await step(card.customer, card.id, "cancel")).body).toMatchObject({ fee_poisha: 25_000 });
    expect(await paymentOf(card.id)).toMatchObject({ status: "captured", captured_poisha: "25000" });
  });
});
