// Wallet payments end to end: bKash (authorize, capture, void, refund) and Nagad (sale, refund) through the real
// adapters against the local simulators, the verified callbacks, the reconciler, refunds and card hold renewal.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { reconcilePayments, renewCardHolds } from "../scheduled";
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
  startNow,
  window,
} from "./helpers";

const bkashSim = new URL(env.BKASH_API_URL as string).origin;
const nagadSim = new URL(env.NAGAD_API_URL as string).origin;
const stripeSim = env.STRIPE_API_URL as string;

const confirm = (id: number, who: Session, headers: Record<string, string> = idemKey(), body?: Json) =>
  call(`/booking/bookings/${id}/confirm`, { method: "POST", token: who.access, headers, body });

/** The customer at the wallet's page: approves (or cancels), and the wallet redirects to our callback. */
async function atWallet(redirectUrl: string, action?: "cancel"): Promise<URL> {
  const res = await fetch(`${redirectUrl}${action ? "?action=cancel" : ""}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") as string);
}

/** The browser following that redirect to our API. */
const follow = (location: URL) => call(`${location.pathname}${location.search}`);

/** The wallet page a 202 confirm sends the customer to. */
const redirectOf = (res: { body: Json }) => (res.body.payment as { redirect_url: string }).redirect_url;

/** The customer confirms, approves at the wallet, and the browser comes back to our callback. */
const approved = async (id: number, who: Session) => follow(await atWallet(redirectOf(await confirm(id, who))));

async function simFail(origin: string, mode: string, pathSuffix = "", count = 1) {
  const res = await fetch(`${origin}/__sim/fail`, {
    method: "POST",
    body: JSON.stringify({ mode, count, path_suffix: pathSuffix }),
  });
  expect(res.status).toBe(200);
}

const simPayment = async (origin: string, ref: string) =>
  (await (await fetch(`${origin}/__sim/payments/${encodeURIComponent(ref)}`)).json()) as Json;

const status = async (id: number, who: Session) => (await call(`/booking/bookings/${id}`, { token: who.access })).body;

/**
 * Makes a payment look older than the reconciler's grace period (or the approval TTL). The updated_at trigger would
 * overwrite the value, so this one session runs without user triggers (both numbers are ours, not input).
 */
const age = (id: number, minutes: number) =>
  sql(
    `SET session_replication_role = replica;
     UPDATE payments SET updated_at = now() - interval '${Number(minutes)} minutes' WHERE booking_id = ${Number(id)}`,
  );

describe("bKash (tokenized checkout, authorization)", () => {
  it("answers 202 with the wallet page, confirms only after the verified callback, and captures on completion", async () => {
    const { p, customer, id } = await acceptedBooking("bkash");
    const started = await confirm(id, customer);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      status: "ACCEPTED",
      payment: { status: "requires_action", gateway: "bkash", amount_poisha: 50_000 },
    });
    const redirect = redirectOf(started);
    expect(redirect.startsWith(bkashSim)).toBe(true);
    const ref = (await paymentOf(id))?.gateway_ref as string;
    expect(await simPayment(bkashSim, ref)).toMatchObject({ intent: "authorization", amount: "500.00" });

    // The redirect's word is not enough: a "success" callback before the customer approved confirms nothing.
    const forged = await call(`/payments/callbacks/bkash?paymentID=${ref}&status=success`);
    expect(forged.status).toBe(202);
    expect(forged.body).toEqual({ booking_id: id, status: "ACCEPTED", outcome: "pending" });
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    // A retried confirm while the customer is at the wallet shows the same page, not a second payment.
    const again = await confirm(id, customer);
    expect(again.status).toBe(202);
    expect(redirectOf(again)).toBe(redirect);

    const back = await atWallet(redirect);
    expect(back.pathname).toBe("/payments/callbacks/bkash");
    const done = await follow(back);
    expect(done.status).toBe(200);
    // The callback is public: it answers where the booking stands, never the booking itself.
    expect(done.body).toEqual({ booking_id: id, status: "CONFIRMED", outcome: "confirmed" });
    expect(await simPayment(bkashSim, ref)).toMatchObject({ transactionStatus: "Authorized" });
    expect(await status(id, customer)).toMatchObject({ status: "CONFIRMED", payment: { status: "authorized" } });

    await startNow(id);
    const completed = await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
    expect(completed.body.status).toBe("COMPLETED");
    expect(await paymentOf(id)).toMatchObject({ status: "captured", captured_poisha: "50000" });
    expect(await simPayment(bkashSim, ref)).toMatchObject({ transactionStatus: "Completed" });
    expect(await paymentEventKinds(id)).toEqual(["hold_started", "action_required", "hold", "capture"]);
  });

  it("executes once and confirms once when callbacks are replayed or race", async () => {
    const { customer, id } = await acceptedBooking("bkash");
    const redirect = redirectOf(await confirm(id, customer));
    const back = await atWallet(redirect);
    const answers = await Promise.all(Array.from({ length: 4 }, () => follow(back)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect((await follow(back)).body.status).toBe("CONFIRMED");
    expect(await paymentEventKinds(id)).toEqual(["hold_started", "action_required", "hold"]);
    const audit = await sql<{ action: string; actor_id: string }>(
      "SELECT action, actor_id FROM audit_log WHERE booking_id = $1 AND action = 'confirm'",
      [id],
    );
    expect(audit).toEqual([{ action: "confirm", actor_id: String(customer.userId) }]);
  });

  it("voids the hold on an early cancel, and keeps one hour of the rate on a late one", async () => {
    const early = await acceptedBooking("bkash", { hoursAhead: 48 });
    await approved(early.id, early.customer);
    const canceled = await call(`/booking/bookings/${early.id}/cancel`, {
      method: "POST",
      token: early.customer.access,
    });
    expect(canceled.body).toMatchObject({ status: "CANCELED", fee_poisha: 0 });
    const voided = await paymentOf(early.id);
    expect(voided).toMatchObject({ status: "voided", captured_poisha: "0" });
    expect(await simPayment(bkashSim, voided?.gateway_ref as string)).toMatchObject({ transactionStatus: "Cancelled" });

    const late = await acceptedBooking("bkash", { hoursAhead: 3 });
    await approved(late.id, late.customer);
    const lateCancel = await call(`/booking/bookings/${late.id}/cancel`, {
      method: "POST",
      token: late.customer.access,
    });
    expect(lateCancel.body).toMatchObject({ status: "CANCELED", fee_poisha: 25_000 });
    const kept = await paymentOf(late.id);
    expect(kept).toMatchObject({ status: "captured", captured_poisha: "25000" });
    // bKash captures whole authorizations: the rest went back as a refund.
    const atBkash = await simPayment(bkashSim, kept?.gateway_ref as string);
    expect(atBkash).toMatchObject({ transactionStatus: "Completed" });
    expect((atBkash.refunds as { amount: string }[]).map((r) => r.amount)).toEqual(["250.00"]);
  });

  it("answers insufficient balance with 402 in the caller's language; the next confirm is a new attempt", async () => {
    const { customer, id } = await acceptedBooking("bkash");
    const url = redirectOf(await confirm(id, customer));
    await simFail(bkashSim, "insufficient_balance");
    const back = await atWallet(url);
    expect(back.searchParams.get("status")).toBe("failure");
    const refused = await call(`${back.pathname}${back.search}`, { headers: { "accept-language": "bn" } });
    expect(refused.status).toBe(402);
    expect(errorCode(refused.body)).toBe("payment_required");
    expect((refused.body.error as { message: string }).message).toContain("পর্যাপ্ত");
    expect((refused.body.error as { details: Json }).details).toEqual({
      kind: "wallet_return",
      booking_id: id,
      outcome: "failed",
    });
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    expect(await paymentOf(id)).toMatchObject({ status: "failed", attempts: 1 });

    const retry = await confirm(id, customer);
    expect(retry.status).toBe(202);
    const second = await paymentOf(id);
    expect(second).toMatchObject({ status: "requires_action", attempts: 2 });
    expect((await follow(await atWallet(redirectOf(retry)))).body.status).toBe("CONFIRMED");
  });

  it("answers a payment cancelled at the wallet with 402; nothing was taken", async () => {
    const { customer, id } = await acceptedBooking("bkash");
    const back = await atWallet(redirectOf(await confirm(id, customer)), "cancel");
    expect(back.searchParams.get("status")).toBe("cancel");
    const refused = await follow(back);
    expect(refused.status).toBe(402);
    expect((refused.body.error as { message: string }).message).toContain("cancelled");
    expect((refused.body.error as { details: Json }).details).toEqual({
      kind: "wallet_return",
      booking_id: id,
      outcome: "canceled",
    });
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    const ref = (await paymentOf(id))?.gateway_ref as string;
    expect(await paymentOf(id)).toMatchObject({ status: "failed", last_error: "payment_canceled" });
    expect((await simPayment(bkashSim, ref)).trxID).toBeNull();
  });

  it("refuses a callback whose verified amount differs from the booking, and releases what the wallet held", async () => {
    const { customer, id } = await acceptedBooking("bkash");
    const url = redirectOf(await confirm(id, customer));
    const ref = (await paymentOf(id))?.gateway_ref as string;
    const tamper = await fetch(`${bkashSim}/__sim/payments/${ref}`, {
      method: "POST",
      body: JSON.stringify({ amount: "5.00" }),
    });
    expect(tamper.status).toBe(200);
    const refused = await follow(await atWallet(url));
    expect(refused.status).toBe(409);
    expect(errorCode(refused.body)).toBe("conflict");
    // The amounts stay in the ledger's history; the public callback says only that it failed.
    expect((refused.body.error as { details: Json }).details).toEqual({
      kind: "wallet_return",
      booking_id: id,
      outcome: "failed",
    });
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    expect(await paymentOf(id)).toMatchObject({ status: "failed", last_error: "payment_mismatch" });
    expect(await simPayment(bkashSim, ref)).toMatchObject({ transactionStatus: "Cancelled" });
  });

  it("reuses its grant token across payments and refreshes it when bKash says it expired", async () => {
    const stats = async () =>
      (await (await fetch(`${bkashSim}/__sim/stats`)).json()) as { grant: number; refresh: number };
    const first = await acceptedBooking("bkash");
    expect((await confirm(first.id, first.customer)).status).toBe(202);
    const before = await stats();
    for (let i = 0; i < 3; i++) {
      const b = await acceptedBooking("bkash");
      expect((await confirm(b.id, b.customer)).status).toBe(202);
    }
    expect(await stats()).toEqual(before);
    await fetch(`${bkashSim}/__sim/expire-tokens`, { method: "POST" });
    const after = await acceptedBooking("bkash");
    expect((await confirm(after.id, after.customer)).status).toBe(202);
    const now = await stats();
    expect(now.refresh).toBe(before.refresh + 1);
    expect(now.grant).toBe(before.grant);
  });

  it("limits how often one payment's return URL makes us ask the gateway", async () => {
    const ref = `TR0011LIMIT${crypto.randomUUID().slice(0, 8)}`;
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push((await call(`/payments/callbacks/bkash?paymentID=${ref}`)).status);
    expect(answers.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(answers[10]).toBe(429);
  });

  it("answers 404 for a callback naming no payment of ours, and 400 without a payment id", async () => {
    const unknown = await call("/payments/callbacks/bkash?paymentID=TR0011NOPE&status=success");
    expect(unknown.status).toBe(404);
    expect((await call("/payments/callbacks/bkash?status=success")).status).toBe(400);
  });
});

describe("Nagad (RSA-sealed checkout, sale then refund)", () => {
  it("takes the money at approval, confirms on the verified callback, and refunds in full on an early cancel", async () => {
    const { customer, id } = await acceptedBooking("nagad");
    const started = await confirm(id, customer);
    expect(started.status).toBe(202);
    const url = redirectOf(started);
    expect(url.startsWith(nagadSim)).toBe(true);
    const ref = (await paymentOf(id))?.gateway_ref as string;
    // Initialize and complete were accepted, so the simulator decrypted our data and verified our signatures.
    expect(await simPayment(nagadSim, ref)).toMatchObject({ status: "Ready", amount: "500.00", orderId: `KM${id}A1` });

    const back = await atWallet(url);
    expect(back.pathname).toBe("/payments/callbacks/nagad");
    const done = await follow(back);
    expect(done.body).toEqual({ booking_id: id, status: "CONFIRMED", outcome: "confirmed" });
    expect(await paymentOf(id)).toMatchObject({ status: "captured", captured_poisha: "50000" });

    const canceled = await call(`/booking/bookings/${id}/cancel`, { method: "POST", token: customer.access });
    expect(canceled.body).toMatchObject({ status: "CANCELED", fee_poisha: 0 });
    expect(await paymentOf(id)).toMatchObject({
      status: "refunded",
      captured_poisha: "50000",
      refunded_poisha: "50000",
    });
    const atNagad = await simPayment(nagadSim, ref);
    expect((atNagad.refunds as { cancelAmount: string }[]).map((r) => r.cancelAmount)).toEqual(["500.00"]);
  });

  it("keeps the fee and refunds the rest on a late cancel; completion keeps everything", async () => {
    const late = await acceptedBooking("nagad", { hoursAhead: 3 });
    await approved(late.id, late.customer);
    await call(`/booking/bookings/${late.id}/cancel`, { method: "POST", token: late.customer.access });
    expect(await paymentOf(late.id)).toMatchObject({
      status: "captured",
      captured_poisha: "50000",
      refunded_poisha: "25000",
    });

    const kept = await acceptedBooking("nagad");
    await approved(kept.id, kept.customer);
    await startNow(kept.id);
    const completed = await call(`/booking/bookings/${kept.id}/complete`, {
      method: "POST",
      token: kept.p.user.access,
    });
    expect(completed.body.status).toBe("COMPLETED");
    expect(await paymentOf(kept.id)).toMatchObject({
      status: "captured",
      captured_poisha: "50000",
      refunded_poisha: "0",
    });
  });

  it("answers a payment the wallet refused with 402 and leaves the booking ACCEPTED", async () => {
    const { customer, id } = await acceptedBooking("nagad");
    const url = redirectOf(await confirm(id, customer));
    await simFail(nagadSim, "insufficient_balance");
    const back = await atWallet(url);
    expect(back.searchParams.get("status")).toBe("Failed");
    const refused = await follow(back);
    expect(refused.status).toBe(402);
    expect(errorCode(refused.body)).toBe("payment_required");
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    expect(await paymentOf(id)).toMatchObject({ status: "failed", captured_poisha: "0" });
    // The next confirm starts a new Nagad order.
    expect((await confirm(id, customer)).status).toBe(202);
    expect(await paymentOf(id)).toMatchObject({ status: "requires_action", attempts: 2 });
  });

  it("refunds in full when the provider cancels, however late", async () => {
    const { p, customer, id } = await acceptedBooking("nagad", { hoursAhead: 3 });
    await approved(id, customer);
    const canceled = await call(`/booking/bookings/${id}/cancel`, { method: "POST", token: p.user.access });
    expect(canceled.body).toMatchObject({ status: "CANCELED", fee_poisha: 0, canceled_by: "provider" });
    expect(await paymentOf(id)).toMatchObject({ status: "refunded", refunded_poisha: "50000" });
  });

  it("refunds money a customer paid after the booking was cancelled", async () => {
    const { customer, id } = await acceptedBooking("nagad");
    const url = redirectOf(await confirm(id, customer));
    // The customer cancels the booking in the app while the Nagad page is still open, then pays anyway.
    await call(`/booking/bookings/${id}/cancel`, { method: "POST", token: customer.access });
    expect(await paymentOf(id)).toMatchObject({ status: "failed" });
    const late = await follow(await atWallet(url));
    expect(late.status).toBe(409);
    expect((late.body.error as { message: string }).message).toContain("returned");
    expect(await paymentOf(id)).toMatchObject({ status: "refunded", refunded_poisha: "50000" });
    const ref = (await paymentOf(id))?.gateway_ref as string;
    expect((await simPayment(nagadSim, ref)).refunds).toHaveLength(1);
    // Replaying that callback refunds nothing more.
    await call(`/payments/callbacks/nagad?payment_ref_id=${ref}`);
    expect((await simPayment(nagadSim, ref)).refunds).toHaveLength(1);
  });
});

describe("reconciler (cron)", () => {
  it("confirms a wallet approval whose callback never arrived, and closes approvals left open too long", async () => {
    const lost = await acceptedBooking("bkash");
    await atWallet(redirectOf(await confirm(lost.id, lost.customer)));
    // The customer approved but the app was killed before the redirect reached us.
    const open = await acceptedBooking("bkash");
    await confirm(open.id, open.customer);
    await age(lost.id, 5);
    await age(open.id, 5);
    await reconcilePayments(env);
    expect((await status(lost.id, lost.customer)).status).toBe("CONFIRMED");
    expect(await paymentOf(lost.id)).toMatchObject({ status: "authorized" });
    // Still at the wallet within the approval window: left alone.
    expect(await paymentOf(open.id)).toMatchObject({ status: "requires_action" });
    await age(open.id, 31);
    await reconcilePayments(env);
    expect(await paymentOf(open.id)).toMatchObject({ status: "failed", last_error: "payment_abandoned" });
    expect((await status(open.id, open.customer)).status).toBe("ACCEPTED");
  });

  it("settles a card hold whose answer timed out: one hold at Stripe, and the booking confirms", async () => {
    const { customer, id } = await acceptedBooking("card", { hoursAhead: 30 });
    await fetch(`${stripeSim}/__sim/fail`, {
      method: "POST",
      body: JSON.stringify({ mode: "timeout", count: 1, path_prefix: "/v1/payment_intents" }),
    });
    const timedOut = await confirm(id, customer);
    expect(timedOut.status).toBe(503);
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    expect(await paymentOf(id)).toMatchObject({
      status: "requires_action",
      last_error: "gateway_timeout",
      gateway_ref: null,
    });
    await age(id, 5);
    await reconcilePayments(env);
    expect((await status(id, customer)).status).toBe("CONFIRMED");
    const held = await paymentOf(id);
    expect(held).toMatchObject({ status: "authorized", attempts: 1 });
    // The replayed hold (same idempotency key) is the intent the timed-out request created: there is only one.
    const created = (await (await fetch(`${stripeSim}/__sim/events?type=payment_intent.created`)).json()) as {
      events: { event: { data: { object: { id: string; metadata: { booking_id: string } } } } }[];
    };
    const intents = created.events
      .map((r) => r.event.data.object)
      .filter((pi) => pi.metadata.booking_id === String(id))
      .map((pi) => pi.id);
    expect(intents).toEqual([held?.gateway_ref]);
  });

  it("settles a bKash callback that timed out at execute", async () => {
    const { customer, id } = await acceptedBooking("bkash");
    const url = redirectOf(await confirm(id, customer));
    const back = await atWallet(url);
    await simFail(bkashSim, "timeout", "/execute");
    expect((await follow(back)).status).toBe(503);
    expect((await status(id, customer)).status).toBe("ACCEPTED");
    await age(id, 5);
    await reconcilePayments(env);
    expect((await status(id, customer)).status).toBe("CONFIRMED");
    expect(await paymentOf(id)).toMatchObject({ status: "authorized" });
  });
});

describe("refunds after capture", () => {
  it("lets only admins refund, never more than was captured and not yet refunded", async () => {
    const { p, customer, id } = await acceptedBooking("bkash");
    await approved(id, customer);
    await startNow(id);
    await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
    const admin = await login();
    await sql("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
    const adminSession = await login(admin.phone);
    const refund = (who: Session, amount: number, headers = idemKey()) =>
      call(`/payments/bookings/${id}/refund`, {
        method: "POST",
        token: who.access,
        headers,
        body: { amount_poisha: amount, reason: "service dispute" },
      });
    expect((await refund(customer, 1000)).status).toBe(403);
    expect((await refund(p.user, 1000)).status).toBe(403);
    const k = idemKey();
    const first = await refund(adminSession, 20_000, k);
    expect(first.status).toBe(200);
    expect(first.body.payment).toMatchObject({ status: "captured", refunded_poisha: 20_000 });
    // The same request again is a replay, not a second refund.
    const replay = await refund(adminSession, 20_000, k);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const tooMuch = await refund(adminSession, 30_001);
    expect(tooMuch.status).toBe(409);
    expect((tooMuch.body.error as { details: Json }).details).toMatchObject({
      kind: "refundable",
      refundable_poisha: 30_000,
    });
    const rest = await refund(adminSession, 30_000);
    expect(rest.body.payment).toMatchObject({ status: "refunded", refunded_poisha: 50_000 });
    expect(await paymentOf(id)).toMatchObject({
      status: "refunded",
      captured_poisha: "50000",
      refunded_poisha: "50000",
    });
    const ref = (await paymentOf(id))?.gateway_ref as string;
    const refunds = (await simPayment(bkashSim, ref)).refunds as { amount: string }[];
    expect(refunds.map((r) => r.amount)).toEqual(["200.00", "300.00"]);
    expect((await refund(adminSession, 1)).status).toBe(409);
    // And the ledger itself refuses a refund above the capture, whoever writes it.
    await expect(sql("UPDATE payments SET refunded_poisha = 50001 WHERE booking_id = $1", [id])).rejects.toThrow(
      /payments_refund_within_capture/,
    );
  });
});

describe("card hold renewal (cron)", () => {
  it("replaces a hold older than CARD_HOLD_RENEW_DAYS and releases the old one", async () => {
    const { customer, id } = await acceptedBooking("card", { hoursAhead: 24 * 10 });
    expect((await confirm(id, customer)).body.status).toBe("CONFIRMED");
    const before = await paymentOf(id);
    await sql("UPDATE payments SET authorized_at = now() - interval '6 days 1 hour' WHERE booking_id = $1", [id]);
    expect(await renewCardHolds(env)).toBeGreaterThanOrEqual(1);
    const after = await paymentOf(id);
    expect(after).toMatchObject({ status: "authorized", attempts: 2 });
    expect(after?.gateway_ref).not.toBe(before?.gateway_ref);
    const intent = async (ref: string) =>
      (await (
        await fetch(`${stripeSim}/v1/payment_intents/${ref}`, {
          headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
        })
      ).json()) as Json;
    expect(await intent(before?.gateway_ref as string)).toMatchObject({ status: "canceled" });
    expect(await intent(after?.gateway_ref as string)).toMatchObject({ status: "requires_capture", amount: 50_000 });
    // A fresh hold is not renewed again.
    await renewCardHolds(env);
    expect((await paymentOf(id))?.gateway_ref).toBe(after?.gateway_ref);
  });
});

describe("who may pay", () => {
  it("lets only the booking's customer confirm and pay", async () => {
    const { p, customer, id } = await acceptedBooking("bkash");
    const stranger = await login();
    expect((await confirm(id, stranger)).status).toBe(404);
    expect((await confirm(id, p.user)).status).toBe(403);
    expect(await paymentOf(id)).toBeUndefined();
    expect((await confirm(id, customer)).status).toBe(202);
  });
});

describe("wallet return to the app", () => {
  const APP = "kormomela://payments/return?from=wallet";

  /** Where a 303 sends the browser, and the query it carries. */
  const location = (res: { status: number; headers: Headers }) => {
    expect(res.status).toBe(303);
    return new URL(res.headers.get("location") as string);
  };

  it("refuses a return_url outside the allow-list with 400 naming the field, in the caller's language", async () => {
    const p = await makeProvider();
    const customer = await login();
    const create = (return_url: string, lang = "en") =>
      call("/booking/bookings", {
        method: "POST",
        token: customer.access,
        headers: { ...idemKey(), "accept-language": lang },
        body: { provider_id: p.providerId, service_type: "driver", payment_method: "bkash", return_url, ...window(48) },
      });
    for (const bad of [
      "https://kormomela.app.evil.com/return",
      "https://evil.com/https://kormomela.app/",
      "https://kormomela.app@evil.com/",
      "https://user:pass@kormomela.app/return",
      "https://kormomela.app/return#access_token=x",
      "http://kormomela.app/return",
      "https:/\\evil.com",
      "//evil.com/",
      "javascript:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "http://localhost:8080/return",
      "kormomela2://payments/return",
    ]) {
      const refused = await create(bad);
      expect(refused.status, bad).toBe(400);
      expect(errorCode(refused.body), bad).toBe("invalid_input");
      expect((refused.body.error as { details: { issues: { path: string }[] } }).details.issues[0]?.path, bad).toBe(
        "return_url",
      );
    }
    const bn = await create("https://evil.com/", "bn");
    expect((bn.body.error as { message: string }).message).toContain("গ্রহণযোগ্য নয়");
    expect((await create("https://kormomela.app/payments/return")).status).toBe(201);

    // A confirm's own return_url is checked the same way, before any money moves.
    const { customer: c2, id } = await acceptedBooking("bkash");
    const confirmed = await call(`/booking/bookings/${id}/confirm`, {
      method: "POST",
      token: c2.access,
      headers: idemKey(),
      body: { return_url: "https://kormomela.app.evil.com/" },
    });
    expect(confirmed.status).toBe(400);
    expect((confirmed.body.error as { details: { issues: { path: string }[] } }).details.issues[0]?.path).toBe(
      "return_url",
    );
    expect(await paymentOf(id)).toBeUndefined();
  });

  it("sends the browser back to the return_url with only booking_id and outcome, and the same again on replay", async () => {
    const { customer, id } = await acceptedBooking("bkash", { body: { return_url: APP } });
    const back = await atWallet(redirectOf(await confirm(id, customer)));
    const first = await follow(back);
    const to = location(first);
    expect(`${to.protocol}//${to.host}${to.pathname}`).toBe("kormomela://payments/return");
    expect([...to.searchParams.entries()]).toEqual([
      ["from", "wallet"],
      ["booking_id", String(id)],
      ["outcome", "confirmed"],
    ]);
    expect(first.body).toEqual({});
    expect((await status(id, customer)).status).toBe("CONFIRMED");
    // Replays (a reload, a shared link) land in the same place and learn nothing more.
    for (let i = 0; i < 2; i++) {
      const again = await follow(back);
      expect(again.headers.get("location")).toBe(to.href);
      expect(again.body).toEqual({});
    }
  });

  it("returns a confirm's own return_url for the attempt it starts (Nagad)", async () => {
    const { customer, id } = await acceptedBooking("nagad", { body: { return_url: APP } });
    const started = await confirm(id, customer, idemKey(), { return_url: "https://KORMOMELA.app/pay/done" });
    const to = location(await follow(await atWallet(redirectOf(started))));
    expect(to.href).toBe(`https://kormomela.app/pay/done?booking_id=${id}&outcome=confirmed`);
  });

  it("redirects a declined approval with outcome=failed and one cancelled at the wallet with outcome=canceled", async () => {
    const declined = await acceptedBooking("bkash", { body: { return_url: APP } });
    const url = redirectOf(await confirm(declined.id, declined.customer));
    await simFail(bkashSim, "insufficient_balance");
    const back = await atWallet(url);
    expect(location(await follow(back)).searchParams.get("outcome")).toBe("failed");
    expect(location(await follow(back)).searchParams.get("outcome")).toBe("failed");
    expect((await status(declined.id, declined.customer)).status).toBe("ACCEPTED");

    const canceled = await acceptedBooking("bkash", { body: { return_url: APP } });
    const left = await atWallet(redirectOf(await confirm(canceled.id, canceled.customer)), "cancel");
    const to = location(await follow(left));
    expect([...to.searchParams.keys()]).toEqual(["from", "booking_id", "outcome"]);
    expect(to.searchParams.get("outcome")).toBe("canceled");
  });

  it("redirects with outcome=pending when the gateway does not answer, and the booking stays ACCEPTED", async () => {
    const { customer, id } = await acceptedBooking("bkash", { body: { return_url: APP } });
    const back = await atWallet(redirectOf(await confirm(id, customer)));
    await simFail(bkashSim, "timeout", "/execute");
    expect(location(await follow(back)).searchParams.get("outcome")).toBe("pending");
    expect((await status(id, customer)).status).toBe("ACCEPTED");
  });

  it("answers only booking_id, status and outcome without a return_url: no address, notes, place or people", async () => {
    const address = "House 12, Road 7, Dhanmondi, Dhaka";
    const notes = "Call 01712345678 at the gate";
    const { customer, id } = await acceptedBooking("bkash", {
      body: { address, notes, location: { lat: 23.7461, lng: 90.3742 } },
    });
    const back = await atWallet(redirectOf(await confirm(id, customer)));
    for (const res of [await follow(back), await follow(back)]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ booking_id: id, status: "CONFIRMED", outcome: "confirmed" });
      const text = JSON.stringify(res.body);
      for (const secret of [address, notes, "Dhanmondi", "23.746", "90.374", "customer_id", "location", "notes"]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/(\+?880|\b0)1\d{9}/);
      expect(text).not.toContain(customer.phone.slice(4));
    }
  });
});
