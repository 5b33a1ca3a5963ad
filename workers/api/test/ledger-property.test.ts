// The journal against random sequences of real flows: card, Nagad and cash bookings completed, cancelled late
// (a fee kept), refunded in part, disputed and refunded in full, then paid out. After every sequence each entry
// balances, each booking's lines say what its payment row says, and each provider's balance is what they earned
// less what was sent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  call,
  idemKey,
  login,
  loginAdmin,
  makeProvider,
  type ProviderFixture,
  type Session,
  sql,
  startNow,
  window,
} from "./helpers";

type Method = "card" | "nagad" | "cash";
type Path = "complete" | "cancel_late" | "refund_part" | "dispute_refund";

async function confirmed(p: ProviderFixture, method: Method, hoursAhead: number) {
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
    body: {
      provider_id: p.providerId,
      service_type: "driver",
      payment_method: method,
      ...(method === "card" ? { payment_method_id: "pm_card_visa" } : {}),
      ...window(hoursAhead, 2),
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as number;
  expect((await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access })).status).toBe(200);
  const conf = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access });
  if (method === "nagad") {
    const page = await fetch((conf.body.payment as { redirect_url: string }).redirect_url, { redirect: "manual" });
    const back = new URL(page.headers.get("location") as string);
    await call(back.pathname + back.search);
  }
  return { id, customer };
}

async function play(p: ProviderFixture, admin: Session, method: Method, path: Path, n: number) {
  // A late cancel needs a job inside the free-cancel window (24 h); the others start later, years apart.
  const { id, customer } = await confirmed(p, method, path === "cancel_late" ? 3 + n * 3 : 100 + n * 10);
  if (path === "cancel_late") {
    expect((await call(`/booking/bookings/${id}/cancel`, { method: "POST", token: customer.access })).status).toBe(200);
    return;
  }
  await startNow(id);
  expect((await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access })).status).toBe(200);
  if (method === "cash") return;
  if (path === "refund_part") {
    const r = await call(`/payments/bookings/${id}/refund`, {
      method: "POST",
      token: admin.access,
      headers: idemKey(),
      body: { amount_poisha: 12_345, reason: "Partly unhappy." },
    });
    expect(r.status).toBe(200);
  }
  if (path === "dispute_refund") {
    const d = await call(`/booking/bookings/${id}/dispute`, {
      method: "POST",
      token: customer.access,
      body: { reason: "No show." },
    });
    expect(d.status).toBe(201);
    const r = await call(`/payments/disputes/${d.body.id}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { resolution: "full_refund", reason: "Confirmed." },
    });
    expect(r.status).toBe(200);
  }
  await sql("UPDATE bookings SET ended_at = now() - interval '4 days' WHERE id = $1", [id]);
}

async function invariants(providerId: number) {
  expect(await sql("SELECT entry_id FROM ledger_lines GROUP BY entry_id HAVING sum(amount_poisha) <> 0")).toEqual([]);
  const bookings = await sql<{
    id: string;
    method: string;
    status: string;
    net: string;
    clearing: string;
    escrow: string;
    payable: string;
    revenue: string;
    owed: string;
    bps: number | null;
    price: string;
  }>(
    `SELECT b.id, b.payment_method AS method, b.status, b.price_poisha AS price,
            (y.captured_poisha - y.refunded_poisha)::text AS net, c.rate_bps AS bps,
            coalesce(sum(l.amount_poisha) FILTER (WHERE l.account = 'gateway_clearing'), 0)::text AS clearing,
            coalesce(sum(l.amount_poisha) FILTER (WHERE l.account = 'customer_escrow'), 0)::text AS escrow,
            coalesce(sum(l.amount_poisha) FILTER (WHERE l.account = 'provider_payable'), 0)::text AS payable,
            coalesce(sum(l.amount_poisha) FILTER (WHERE l.account = 'platform_revenue'), 0)::text AS revenue,
            coalesce(sum(l.amount_poisha) FILTER (WHERE l.account = 'provider_cash_owed'), 0)::text AS owed
       FROM bookings b JOIN payments y ON y.booking_id = b.id
       LEFT JOIN booking_commissions c ON c.booking_id = b.id
       LEFT JOIN ledger_lines l ON l.booking_id = b.id
      WHERE b.provider_id = $1 GROUP BY b.id, y.id, c.rate_bps`,
    [providerId],
  );
  for (const b of bookings) {
    const net = Number(b.net);
    const cut = Math.floor((net * (b.bps ?? 0) + 5000) / 10_000);
    if (b.method === "cash") {
      expect([b.clearing, b.escrow, b.payable], `cash booking ${b.id}`).toEqual(["0", "0", "0"]);
      expect(Number(b.owed)).toBe(b.status === "COMPLETED" ? cut : 0);
      continue;
    }
    expect(Number(b.clearing), `booking ${b.id} clearing`).toBe(net);
    expect(Number(b.escrow), `booking ${b.id} escrow`).toBe(0);
    expect(Number(b.revenue), `booking ${b.id} revenue`).toBe(0 - cut);
    expect(Number(b.payable), `booking ${b.id} payable`).toBe(0 - (net - cut));
  }
  // The provider's payable account: what they earned, less every payout sent or in flight and every settlement.
  const [acct] = await sql<{ payable: string; earned: string; out: string }>(
    `SELECT coalesce((SELECT -sum(amount_poisha) FROM ledger_lines WHERE provider_id = $1 AND account = 'provider_payable'), 0)::text AS payable,
            coalesce((SELECT -sum(amount_poisha) FROM ledger_lines WHERE provider_id = $1 AND account = 'provider_payable' AND booking_id IS NOT NULL), 0)::text AS earned,
            coalesce((SELECT sum(amount_poisha + settled_cash_poisha) FROM payouts WHERE provider_id = $1 AND status IN ('sent', 'pending', 'unknown', 'requires_approval', 'netted')), 0)::text AS out`,
    [providerId],
  );
  expect(Number(acct?.payable)).toBe(Number(acct?.earned) - Number(acct?.out));
}

describe("the journal under random flows", () => {
  it("balances and agrees with payments, bookings and payouts after any sequence", async () => {
    const admin = await loginAdmin();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            method: fc.constantFrom<Method>("card", "nagad", "cash"),
            path: fc.constantFrom<Path>("complete", "cancel_late", "refund_part", "dispute_refund"),
          }),
          { minLength: 2, maxLength: 4 },
        ),
        async (steps) => {
          run++;
          const p = await makeProvider({ services: [{ service_type: "driver", price_poisha: 50_000, unit: "hour" }] });
          await call("/payments/payout-account", {
            method: "PUT",
            token: p.user.access,
            body: { method: "bkash", msisdn: `0171${String(run).padStart(7, "0")}` },
          });
          await call(`/payments/payout-accounts/${p.providerId}/verify`, { method: "POST", token: admin.access });
          for (const [n, s] of steps.entries()) await play(p, admin, s.method, s.path, n);
          await invariants(p.providerId);
          const paid = await call("/payments/payouts/run", {
            method: "POST",
            token: admin.access,
            body: { provider_id: p.providerId },
          });
          expect(paid.status).toBe(200);
          await invariants(p.providerId);
        },
      ),
      { numRuns: 4, seed: Number(process.env.LEDGER_SEED ?? 20261202) },
    );
    // Real bookings through every layer: minutes on a loaded machine; the time says nothing about the behaviour.
  }, 240_000);
});
