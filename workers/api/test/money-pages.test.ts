// Receipts, monthly statements and bank payouts: the same items for both parties, printable pages in Bangla and
// English that load nothing, and the BEFTN export that ops upload and confirm.
import { describe, expect, it } from "vitest";
import { call, idemKey, type Json, login, loginAdmin, makeProvider, sql, startNow, window } from "./helpers";

async function completedCard() {
  const p = await makeProvider({ services: [{ service_type: "driver", price_poisha: 50_000, unit: "hour" }] });
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
    body: {
      provider_id: p.providerId,
      service_type: "driver",
      payment_method: "card",
      payment_method_id: "pm_card_visa",
      ...window(60, 2),
    },
  });
  const id = created.body.id as number;
  await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
  expect((await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access })).status).toBe(200);
  await startNow(id);
  expect((await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access })).status).toBe(200);
  return { p, customer, id };
}

describe("receipts", () => {
  it("shows the customer and the provider the same items: the service, the commission, the provider's share", async () => {
    const b = await completedCard();
    const mine = await call(`/payments/bookings/${b.id}/receipt`, { token: b.customer.access });
    const theirs = await call(`/payments/bookings/${b.id}/receipt`, { token: b.p.user.access });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      { kind: "service", amount_poisha: 100_000 },
      { kind: "commission", amount_poisha: -12_000 },
      { kind: "provider_share", amount_poisha: 88_000 },
    ]);
    expect(theirs.body).toEqual(mine.body);
    expect(mine.body).toMatchObject({ paid_poisha: 100_000, commission_bps: 1200, currency: "BDT" });
    expect((await call(`/payments/bookings/${b.id}/receipt`, { token: (await login()).access })).status).toBe(404);
  });

  it("prints in the reader's language, with taka and Dhaka time, and loads nothing", async () => {
    const b = await completedCard();
    const res = await call(`/payments/bookings/${b.id}/receipt?format=html`, {
      token: b.customer.access,
      headers: { "accept-language": "bn" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const html = String(res.body.raw);
    expect(html).toContain('lang="bn"');
    expect(html).toContain("৳১,০০০");
    expect(html).toContain("কর্ম মেলা কমিশন");
    expect(html).not.toMatch(/<script/i);
  });
});

describe("monthly statements", () => {
  it("lists the month's jobs and payouts with totals, for the provider only", async () => {
    const b = await completedCard();
    const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Dhaka", year: "numeric", month: "2-digit" })
      .format(new Date())
      .slice(0, 7);
    const res = await call(`/payments/statements/${month}`, { token: b.p.user.access });
    expect(res.status).toBe(200);
    expect((res.body.bookings as Json[]).map((x) => x.booking_id)).toEqual([b.id]);
    expect(res.body.totals).toMatchObject({
      gross_poisha: 100_000,
      commission_poisha: 12_000,
      earnings_poisha: 88_000,
    });
    const html = await call(`/payments/statements/${month}?format=html`, { token: b.p.user.access });
    expect(String(html.body.raw)).toContain("Tk 880");
    expect((await call(`/payments/statements/2026-13`, { token: b.p.user.access })).status).toBe(400);
    expect((await call(`/payments/statements/${month}`, { token: b.customer.access })).status).toBe(403);
  });
});

describe("bank payouts", () => {
  it("waits in the BEFTN export until ops confirm it went through", async () => {
    const b = await completedCard();
    await sql("UPDATE bookings SET ended_at = now() - interval '4 days' WHERE id = $1", [b.id]);
    const admin = await loginAdmin();
    const set = await call("/payments/payout-account", {
      method: "PUT",
      token: b.p.user.access,
      body: {
        method: "bank",
        bank_name: "Dutch-Bangla Bank",
        branch_routing: "090261726",
        account_number: "1234567890123",
        account_name: "Rahim Uddin, Driver",
      },
    });
    expect(set.body).toMatchObject({ method: "bank", destination: "•••123", verified: false });
    // Not verified yet: nothing is paid.
    const none = await call("/payments/payouts/run", {
      method: "POST",
      token: admin.access,
      body: { provider_id: b.p.providerId },
    });
    expect(none.body).toMatchObject({ items: [], skipped: { not_verified: 1 } });
    await call(`/payments/payout-accounts/${b.p.providerId}/verify`, { method: "POST", token: admin.access });
    const run = await call("/payments/payouts/run", {
      method: "POST",
      token: admin.access,
      body: { provider_id: b.p.providerId },
    });
    const [payout] = run.body.items as Json[];
    expect(payout).toMatchObject({ method: "bank", status: "pending", amount_poisha: 88_000 });
    const csv = await call("/payments/payouts/bank-export.csv", { token: admin.access });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const line = String(csv.body.raw)
      .split("\r\n")
      .find((l) => l.startsWith(String(payout?.invoice)));
    expect(line).toBe(`${payout?.invoice},090261726,1234567890123,"Rahim Uddin, Driver",880.00,Dutch-Bangla Bank`);
    expect(
      (await call(`/payments/payouts/${payout?.id}/confirm`, { method: "POST", token: b.p.user.access })).status,
    ).toBe(403);
    const ok = await call(`/payments/payouts/${payout?.id}/confirm`, { method: "POST", token: admin.access });
    expect(ok.body).toMatchObject({ status: "sent" });
    const again = await call(`/payments/payouts/${payout?.id}/confirm`, { method: "POST", token: admin.access });
    expect(again.body).toMatchObject({ status: "sent" });
    const earnings = await call("/payments/earnings", { token: b.p.user.access });
    expect(earnings.body).toMatchObject({ available_poisha: 0, in_flight_poisha: 0 });
    const [funded] = await sql<{ s: string }>(
      "SELECT sum(amount_poisha)::text AS s FROM ledger_lines WHERE payout_id = $1 AND account = 'payout_funding' AND gateway = 'bank'",
      [payout?.id],
    );
    expect(funded?.s).toBe("-88000");
  });
});
