// Money news through the real consumer: a payout sent reaches the provider's devices once, in their language; a
// failed payout reaches a provider with no device by SMS, saying what to fix; a dispute's news reaches both sides.
import { describe, expect, it } from "vitest";
import { AccountEventMessage } from "../../../lib/messages";
import { pushesTo, run, smsTo, sql, token, user } from "./harness";

async function provider(opts: Parameters<typeof user>[0] = {}) {
  const u = await user(opts);
  const [p] = await sql<{ id: string }>(
    `INSERT INTO providers (user_id, display_name, location)
     VALUES ($1, 'P', ST_SetSRID(ST_MakePoint(90.4, 23.8), 4326)::geography) RETURNING id`,
    [u.id],
  );
  return { ...u, providerId: Number(p?.id) };
}

const news = (e: Omit<AccountEventMessage, "event_id" | "at">) =>
  AccountEventMessage.parse({ ...e, event_id: crypto.randomUUID(), at: new Date().toISOString() });

describe("account news", () => {
  it("tells a provider their payout was sent, in Bangla, once", async () => {
    const t = token();
    const p = await provider({ lang: "bn", devices: [t] });
    const e = news({ type: "payout.sent", booking_id: 0, to: [{ provider_id: p.providerId }], amount_poisha: 88_000 });
    await run("account-events", [e]);
    await run("account-events", [e]);
    const pushes = await pushesTo(t);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.notification).toEqual({ title: "পেআউট পাঠানো হয়েছে", body: "৳৮৮০ আপনার অ্যাকাউন্টে পাঠানো হয়েছে।" });
  });

  it("texts a provider without a device when a payout failed, with what to fix", async () => {
    const p = await provider();
    const e = news({
      type: "payout.failed",
      booking_id: 0,
      to: [{ provider_id: p.providerId }],
      amount_poisha: 88_000,
      reason: "invalid_receiver",
    });
    await run("account-events", [e]);
    const [sms] = await smsTo(p.phone);
    expect(sms?.sms).toBe("Payout failed: Tk 880 could not be sent. Check your bKash number in Payouts.");
  });

  it("tells both sides a dispute was resolved", async () => {
    const [t1, t2] = [token(), token()];
    const customer = await user({ devices: [t1] });
    const p = await provider({ devices: [t2] });
    const e = news({
      type: "dispute.resolved",
      booking_id: 42,
      to: [{ user_id: customer.id }, { provider_id: p.providerId }],
      amount_poisha: 20_000,
      reason: "partial_refund",
    });
    await run("account-events", [e]);
    expect((await pushesTo(t1))[0]?.notification.body).toBe("The dispute on booking #42 is resolved: Tk 200 refunded.");
    expect(await pushesTo(t2)).toHaveLength(1);
  });
});
