// Earnings and payouts end to end: the journal every flow writes (balanced by the database), commission, the
// dispute window and freeze, cash commission and its limit, bKash payouts once (concurrent runs, a lost answer),
// clawback after a post-payout refund, approvals, and who may see and do what.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providerBookings } from "../../../durable-objects/provider-bookings/client";
import { requestHash } from "../routes/shared/booking";
import {
  acceptedBooking,
  call,
  idemKey,
  type Json,
  login,
  loginAdmin,
  makeProvider,
  type ProviderFixture,
  type Session,
  sql,
  startNow,
  window,
} from "./helpers";

const bkashSim = new URL(env.BKASH_API_URL as string).origin;

/** A driver at 500 taka an hour: a 2-hour job is 1 000 taka, 880 of it the provider's (above the ৳500 minimum). */
const driver = () => makeProvider({ services: [{ service_type: "driver", price_poisha: 50_000, unit: "hour" }] });

/** A booking paid by `method` and completed by its provider (a fresh driver unless given). */
async function completed(method: "card" | "bkash" | "cash", p?: ProviderFixture) {
  const b = await acceptedWith(p ?? (await driver()), method);
  const confirmed = await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
  if (method === "bkash") {
    // Approve at the wallet page, as the customer's phone would: the callback confirms the booking.
    const url = (confirmed.body.payment as { redirect_url: string }).redirect_url;
    const page = await fetch(url, { redirect: "manual" });
    await call(
      new URL(page.headers.get("location") as string).pathname + new URL(page.headers.get("location") as string).search,
    );
  } else expect(confirmed.status).toBe(200);
  await startNow(b.id);
  const done = await call(`/booking/bookings/${b.id}/complete`, { method: "POST", token: b.p.user.access });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return b;
}

/** An accepted booking of `p`'s in a free slot of its own (each call years apart from the others). */
const acceptedWith = (p: ProviderFixture, method: "card" | "bkash" | "cash") =>
  acceptedBooking(method, { provider: p, hoursAhead: 48 + Math.floor(Math.random() * 5000) });

/** Moves a booking's end back past the dispute window (72 h), as time would. */
const agePastWindow = (bookingId: number) =>
  sql("UPDATE bookings SET ended_at = now() - interval '4 days' WHERE id = $1", [bookingId]);

const earnings = async (s: Session) => (await call("/payments/earnings", { token: s.access })).body;

async function payoutAccount(p: ProviderFixture, admin: Session, msisdn = "01712345678") {
  const set = await call("/payments/payout-account", {
    method: "PUT",
    token: p.user.access,
    body: { method: "bkash", msisdn },
  });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ method: "bkash", destination: `•••${msisdn.slice(-3)}`, verified: false });
  const v = await call(`/payments/payout-accounts/${p.providerId}/verify`, { method: "POST", token: admin.access });
  expect(v.status).toBe(200);
}

const runFor = (admin: Session, providerId: number) =>
  call("/payments/payouts/run", { method: "POST", token: admin.access, body: { provider_id: providerId } });

/** Every entry balances and the whole journal sums to zero (the constraint trigger makes anything else impossible). */
async function journalBalances() {
  const unbalanced = await sql("SELECT entry_id FROM ledger_lines GROUP BY entry_id HAVING sum(amount_poisha) <> 0");
  expect(unbalanced).toEqual([]);
  const [total] = await sql<{ s: string }>("SELECT coalesce(sum(amount_poisha), 0)::text AS s FROM ledger_lines");
  expect(total?.s).toBe("0");
}

const simPayouts = async () =>
  (
    (await (await fetch(`${bkashSim}/__sim/payouts`)).json()) as {
      payouts: { merchantInvoiceNumber: string; amount: string; receiverMSISDN: string }[];
    }
  ).payouts;

describe("earnings from the journal", () => {
  it("splits a completed card job into the provider's earnings and the platform's commission, pending until the window passes", async () => {
    const b = await completed("card");
    const lines = await sql<{ account: string; amount: string }>(
      `SELECT account, sum(amount_poisha)::text AS amount FROM ledger_lines WHERE booking_id = $1
        GROUP BY account HAVING sum(amount_poisha) <> 0 ORDER BY account`,
      [b.id],
    );
    // 1 000 taka at the driver's 12%: 120 taka to the platform, 880 to the provider; the card money sits at Stripe.
    expect(lines).toEqual([
      { account: "gateway_clearing", amount: "100000" },
      { account: "platform_revenue", amount: "-12000" },
      { account: "provider_payable", amount: "-88000" },
    ]);
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 0, pending_poisha: 88_000, frozen_poisha: 0 });
    await agePastWindow(b.id);
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 88_000, pending_poisha: 0 });
    await journalBalances();
  });

  it("keeps money taken before the job in escrow until the job is done", async () => {
    // Nagad is a sale: the money is taken at confirm (bKash and cards hold it, and capture at completion).
    const b = await acceptedBooking("nagad");
    const confirm = await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
    const url = (confirm.body.payment as { redirect_url: string }).redirect_url;
    const page = await fetch(url, { redirect: "manual" });
    const back = new URL(page.headers.get("location") as string);
    await call(back.pathname + back.search);
    const lines = await sql<{ account: string; amount: string }>(
      "SELECT account, sum(amount_poisha)::text AS amount FROM ledger_lines WHERE booking_id = $1 GROUP BY account HAVING sum(amount_poisha) <> 0 ORDER BY account",
      [b.id],
    );
    expect(lines).toEqual([
      { account: "customer_escrow", amount: "-50000" },
      { account: "gateway_clearing", amount: "50000" },
    ]);
  });

  it("refuses an entry that does not balance, whoever writes it", async () => {
    const b = await completed("card");
    await expect(
      sql(
        `WITH e AS (INSERT INTO ledger_entries (kind, booking_id) VALUES ('tamper', $1) RETURNING id)
         INSERT INTO ledger_lines (entry_id, account, amount_poisha) SELECT id, 'platform_revenue', 1 FROM e`,
        [b.id],
      ),
    ).rejects.toThrow(/does not balance/);
    await expect(
      sql("UPDATE ledger_lines SET amount_poisha = amount_poisha WHERE booking_id = $1", [b.id]),
    ).rejects.toThrow();
  });

  it("shows earnings only to their provider", async () => {
    const b = await completed("card");
    const other = await makeProvider();
    expect((await earnings(other.user)).pending_poisha).toBe(0);
    expect((await call("/payments/earnings", { token: b.customer.access })).status).toBe(403);
    expect((await call("/payments/earnings")).status).toBe(401);
  });
});

describe("payouts", () => {
  it("pays what is available to the provider's bKash wallet once, even when two runs race", async () => {
    const b = await completed("card");
    await agePastWindow(b.id);
    const admin = await loginAdmin();
    await payoutAccount(b.p, admin);
    const [r1, r2] = await Promise.all([runFor(admin, b.p.providerId), runFor(admin, b.p.providerId)]);
    const items = [...(r1.body.items as Json[]), ...(r2.body.items as Json[])];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ provider_id: b.p.providerId, amount_poisha: 88_000, status: "sent" });
    const invoice = items[0]?.invoice as string;
    expect((await simPayouts()).filter((p) => p.merchantInvoiceNumber === invoice)).toEqual([
      expect.objectContaining({ amount: "880.00", receiverMSISDN: "01712345678" }),
    ]);
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 0, in_flight_poisha: 0 });
    // Nothing left: a third run starts nothing.
    expect((await runFor(admin, b.p.providerId)).body.items).toEqual([]);
    const mine = await call("/payments/payouts", { token: b.p.user.access });
    expect((mine.body.items as Json[]).map((p) => p.status)).toEqual(["sent"]);
    await journalBalances();
  });

  it("survives a payout whose answer is lost: unknown, then settled by invoice without paying twice", async () => {
    const b = await completed("card");
    await agePastWindow(b.id);
    const admin = await loginAdmin();
    await payoutAccount(b.p, admin, "01812345670");
    await fetch(`${bkashSim}/__sim/fail`, {
      method: "POST",
      body: JSON.stringify({ mode: "timeout", count: 1, path_suffix: "b2cPayment" }),
    });
    const run = await runFor(admin, b.p.providerId);
    const [p] = run.body.items as Json[];
    expect(p).toMatchObject({ status: "unknown" });
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 0, in_flight_poisha: 88_000 });
    // Another run while it is unknown starts nothing (one open payout per provider).
    expect((await runFor(admin, b.p.providerId)).body.items).toEqual([]);
    const settled = await providerBookings(env, b.p.providerId).payouts(b.p.providerId, {
      kind: "reconcile",
      payoutId: p?.id as number,
    });
    expect(settled).toMatchObject({ ok: true, payout: { status: "sent" } });
    expect((await simPayouts()).filter((x) => x.merchantInvoiceNumber === p?.invoice)).toHaveLength(1);
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 0, in_flight_poisha: 0 });
    await journalBalances();
  });

  it("fails a payout the gateway refuses, and the money is available again", async () => {
    const b = await completed("card");
    await agePastWindow(b.id);
    const admin = await loginAdmin();
    await payoutAccount(b.p, admin, "01912345671");
    await fetch(`${bkashSim}/__sim/fail`, {
      method: "POST",
      // Twice: the adapter tops up and tries once more on 2023, and bKash refuses that too.
      body: JSON.stringify({ mode: "insufficient_balance", count: 2, path_suffix: "b2cPayment" }),
    });
    const [p] = (await runFor(admin, b.p.providerId)).body.items as Json[];
    expect(p).toMatchObject({ status: "failed" });
    expect(String(p?.error)).toMatch(/2023/);
    expect(await earnings(b.p.user)).toMatchObject({ available_poisha: 88_000 });
    const [again] = (await runFor(admin, b.p.providerId)).body.items as Json[];
    expect(again).toMatchObject({ status: "sent", amount_poisha: 88_000 });
  });

  it("takes a refund after the payout back from later earnings", async () => {
    const p = await driver();
    const admin = await loginAdmin();
    await payoutAccount(p, admin, "01712340001");
    const first = await completed("card", p);
    await agePastWindow(first.id);
    expect(((await runFor(admin, p.providerId)).body.items as Json[])[0]).toMatchObject({ amount_poisha: 88_000 });
    const refund = await call(`/payments/bookings/${first.id}/refund`, {
      method: "POST",
      token: admin.access,
      headers: idemKey(),
      body: { amount_poisha: 10_000, reason: "Arrived an hour late." },
    });
    expect(refund.status).toBe(200);
    // 100 taka back to the customer: the provider's share of it (88) is taken from what was paid out.
    expect(await earnings(p.user)).toMatchObject({ available_poisha: -8_800 });
    const second = await completed("card", p);
    await agePastWindow(second.id);
    expect(((await runFor(admin, p.providerId)).body.items as Json[])[0]).toMatchObject({
      amount_poisha: 88_000 - 8_800,
    });
    await journalBalances();
  });

  it("holds a payout above the approval threshold until an admin approves it", async () => {
    const p = await makeProvider({ services: [{ service_type: "driver", price_poisha: 2_000_000, unit: "hour" }] });
    const admin = await loginAdmin();
    await payoutAccount(p, admin, "01712340002");
    const b = await completed("card", p);
    await agePastWindow(b.id);
    // A scheduled run (no admin) holds it: 40 000 taka less 12% is above the 25 000 taka threshold.
    const held = await providerBookings(env, p.providerId).payouts(p.providerId, {
      kind: "start",
      runId: null,
      approvedBy: null,
    });
    expect(held).toMatchObject({ ok: true, payout: { status: "requires_approval", amount_poisha: 3_520_000 } });
    const id = held.ok ? held.payout.id : 0;
    expect((await call(`/payments/payouts/${id}/approve`, { method: "POST", token: p.user.access })).status).toBe(403);
    const ok = await call(`/payments/payouts/${id}/approve`, { method: "POST", token: admin.access });
    expect(ok.body).toMatchObject({ status: "sent" });
    expect((await call(`/payments/payouts/${id}/approve`, { method: "POST", token: admin.access })).status).toBe(409);
  });

  it("lets only admins run payouts", async () => {
    const p = await makeProvider();
    expect((await call("/payments/payouts/run", { method: "POST", token: p.user.access, body: {} })).status).toBe(403);
  });
});

describe("cash jobs", () => {
  it("records the commission a provider owes, nets it from the next payout, and stops cash bookings past the limit", async () => {
    const p = await makeProvider({ services: [{ service_type: "driver", price_poisha: 1_500_000, unit: "hour" }] });
    const admin = await loginAdmin();
    await payoutAccount(p, admin, "01712340003");
    await completed("cash", p);
    // 30 000 taka in cash: the provider owes 12%, 3 600 taka, above the 3 000 taka limit.
    expect(await earnings(p.user)).toMatchObject({ owed_poisha: 360_000, available_poisha: 0 });
    const next = await acceptedWith(p, "card").catch(() => undefined);
    expect(next).toBeDefined();
    const customer = await login();
    const cash = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: idemKey(),
      body: { provider_id: p.providerId, service_type: "driver", payment_method: "cash", ...window(7000, 2) },
    });
    const refused = await call(`/booking/bookings/${cash.body.id}/accept`, { method: "POST", token: p.user.access });
    expect(refused.status).toBe(409);
    expect((refused.body.error as { details: Json }).details).toMatchObject({
      kind: "limit",
      name: "cash_debt_poisha",
    });
    // A card job completes; its earnings (30 000 less 12% = 26 400 taka) pay the debt first.
    if (!next) return;
    const conf = await call(`/booking/bookings/${next.id}/confirm`, { method: "POST", token: next.customer.access });
    expect(conf.status).toBe(200);
    await startNow(next.id);
    expect((await call(`/booking/bookings/${next.id}/complete`, { method: "POST", token: p.user.access })).status).toBe(
      200,
    );
    await agePastWindow(next.id);
    const [paid] = (await runFor(admin, p.providerId)).body.items as Json[];
    expect(paid).toMatchObject({ settled_cash_poisha: 360_000, amount_poisha: 2_640_000 - 360_000, status: "sent" });
    expect(await earnings(p.user)).toMatchObject({ owed_poisha: 0, available_poisha: 0 });
    expect(
      (await call(`/booking/bookings/${cash.body.id}/accept`, { method: "POST", token: p.user.access })).status,
    ).toBe(200);
    await journalBalances();
  });
});

describe("disputes", () => {
  it("freezes a disputed booking's earnings until an admin resolves it with a refund", async () => {
    const b = await completed("card");
    const opened = await call(`/booking/bookings/${b.id}/dispute`, {
      method: "POST",
      token: b.customer.access,
      body: { reason: "Left after one hour." },
    });
    expect(opened.status).toBe(201);
    const again = await call(`/booking/bookings/${b.id}/dispute`, {
      method: "POST",
      token: b.customer.access,
      body: { reason: "Left after one hour." },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(opened.body.id);
    await agePastWindow(b.id);
    expect(await earnings(b.p.user)).toMatchObject({ frozen_poisha: 88_000, available_poisha: 0 });
    const admin = await loginAdmin();
    expect(
      (
        await call(`/payments/disputes/${opened.body.id}/resolve`, {
          method: "POST",
          token: b.customer.access,
          body: { resolution: "release", reason: "x" },
        })
      ).status,
    ).toBe(403);
    const done = await call(`/payments/disputes/${opened.body.id}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { resolution: "full_refund", reason: "Provider confirmed leaving early." },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "resolved", resolution: "full_refund", refund_poisha: 100_000 });
    expect(await earnings(b.p.user)).toMatchObject({ frozen_poisha: 0, available_poisha: 0, pending_poisha: 0 });
    const audit = await sql("SELECT action FROM admin_audit WHERE target_type = 'dispute' AND target_id = $1", [
      String(opened.body.id),
    ]);
    expect(audit).toEqual([{ action: "dispute.full_refund" }]);
    await journalBalances();
  });

  it("refunds once when another admin retries a resolution whose answer was lost after the refund", async () => {
    const b = await completed("card");
    const d = await call(`/booking/bookings/${b.id}/dispute`, {
      method: "POST",
      token: b.customer.access,
      body: { reason: "Late." },
    });
    const first = await loginAdmin();
    const body = { resolution: "partial_refund", refund_poisha: 30_000, reason: "An hour late." };
    // The first attempt claimed the refund and made it, then its answer (and the resolution) was lost.
    await sql("UPDATE disputes SET refund_actor = $2 WHERE id = $1", [d.body.id, first.userId]);
    const path = `/payments/disputes/${d.body.id}/resolve`;
    const made = await providerBookings(env, b.p.providerId).refund({
      providerId: b.p.providerId,
      bookingId: b.id,
      amountPoisha: 30_000,
      reason: `dispute ${d.body.id}: An hour late.`,
      actor: { userId: first.userId, role: "admin" },
      idempotency: {
        key: `dispute-${d.body.id}-refund`,
        method: "POST",
        path,
        requestHash: await requestHash("POST", path, { amount_poisha: 30_000, reason: "An hour late." }),
      },
    });
    expect(made.ok).toBe(true);
    const second = await loginAdmin();
    const retried = await call(path, { method: "POST", token: second.access, body });
    expect(retried.status).toBe(200);
    const [pay] = await sql<{ refunded: string }>(
      "SELECT refunded_poisha::text AS refunded FROM payments WHERE booking_id = $1",
      [b.id],
    );
    expect(pay?.refunded).toBe("30000");
  });

  it("refuses a dispute from anyone but the customer, before completion, or after the window", async () => {
    const b = await completed("card");
    const body = { reason: "Not happy." };
    expect(
      (await call(`/booking/bookings/${b.id}/dispute`, { method: "POST", token: b.p.user.access, body })).status,
    ).toBe(404);
    expect(
      (await call(`/booking/bookings/${b.id}/dispute`, { method: "POST", token: (await login()).access, body })).status,
    ).toBe(404);
    const open = await acceptedBooking("cash");
    expect(
      (await call(`/booking/bookings/${open.id}/dispute`, { method: "POST", token: open.customer.access, body }))
        .status,
    ).toBe(409);
    await agePastWindow(b.id);
    const late = await call(`/booking/bookings/${b.id}/dispute`, { method: "POST", token: b.customer.access, body });
    expect(late.status).toBe(409);
  });
});
