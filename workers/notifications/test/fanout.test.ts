import { describe, expect, it } from "vitest";
import { deliveries, event, nenv, pushesTo, run, smsTo, sql, token, user } from "./harness";

describe("booking event fan-out", () => {
  it("pushes a new booking to every device of the provider, logs it as sent, and stores no raw token", async () => {
    const [t1, t2] = [token(), token()];
    const provider = await user({ devices: [t1, t2] });
    const customer = await user();
    const e = event("booking.created", { customer: customer.id, providerUser: provider.id });
    const result = await run("booking-events", [e]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const [p1] = await pushesTo(t1);
    expect(p1?.notification.title).toBe("New booking request");
    expect(p1?.data).toMatchObject({ type: "booking.created", booking_id: String(e.id), event_id: e.meta.event_id });
    expect(await pushesTo(t2)).toHaveLength(1);
    const log = await deliveries(e.meta.event_id);
    expect(log.map((d) => [d.channel, d.status])).toEqual([
      ["push", "sent"],
      ["push", "sent"],
    ]);
    expect(JSON.stringify(log)).not.toContain(t1);
    expect(await pushesTo(customer.phone)).toEqual([]);
  });

  it("notifies once when the same event is delivered twice", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    await run("booking-events", [e]);
    await run("booking-events", [e]);
    expect(await pushesTo(t)).toHaveLength(1);
    expect((await deliveries(e.meta.event_id)).map((d) => d.status)).toEqual(["sent"]);
  });

  it("deletes a device whose token FCM reports unregistered, and does not retry", async () => {
    const dead = token("unregistered");
    const alive = token();
    const provider = await user({ devices: [dead, alive] });
    const customer = await user();
    const e = event("booking.created", { customer: customer.id, providerUser: provider.id });
    const result = await run("booking-events", [e]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await sql("SELECT push_token FROM user_devices WHERE user_id = $1", [provider.id])).toEqual([
      { push_token: alive },
    ]);
    const log = await deliveries(e.meta.event_id);
    expect(log.map((d) => [d.status, d.error]).sort()).toEqual([
      ["failed", "UNREGISTERED"],
      ["sent", null],
    ]);
  });

  it("falls back to SMS for a user with no device, and adds SMS for critical events", async () => {
    const noDevice = await user();
    const provider = await user({ devices: [token()] });
    const accepted = event(
      "booking.accepted",
      { customer: noDevice.id, providerUser: provider.id },
      { actor: "provider" },
    );
    await run("booking-events", [accepted]);
    const [sms] = await smsTo(noDevice.phone);
    expect(sms?.sms).toContain("Booking accepted");
    const t = token();
    const withDevice = await user({ devices: [t] });
    const confirmed = event("booking.confirmed", { customer: noDevice.id, providerUser: withDevice.id });
    await run("booking-events", [confirmed]);
    expect(await pushesTo(t)).toHaveLength(1);
    expect(await smsTo(withDevice.phone)).toHaveLength(1);
    expect((await deliveries(confirmed.meta.event_id)).map((d) => d.channel).sort()).toEqual(["push", "sms"]);
  });

  it("tells both parties of a cancellation, each in their own language, with taka and Dhaka time", async () => {
    const [tc, tp] = [token(), token()];
    const customer = await user({ lang: "bn", devices: [tc] });
    const provider = await user({ lang: "en", devices: [tp] });
    await run("booking-events", [
      event("booking.canceled", { customer: customer.id, providerUser: provider.id }, { actor: "customer", id: 42 }),
    ]);
    const [bn] = await pushesTo(tc);
    const [en] = await pushesTo(tp);
    expect(bn?.notification.title).toBe("বুকিং বাতিল");
    expect(bn?.notification.body).toContain("#৪২");
    expect(bn?.notification.body).toContain("১০ জানুয়ারি");
    expect(en?.notification.title).toBe("Booking canceled");
    // 09:00Z is 3:00 pm in Dhaka.
    expect(en?.notification.body).toMatch(/10 Jan.*3:00\s?pm/i);
  });

  it("holds non-critical messages in quiet hours, and sends critical ones anyway", async () => {
    const t = token();
    const dhakaNow = (Date.now() / 60_000 + 360) % 1440;
    const quiet: [number, number] = [Math.floor(dhakaNow + 1440 - 30) % 1440, Math.floor(dhakaNow + 30) % 1440];
    const customer = await user({ devices: [t], quiet });
    const provider = await user();
    const accepted = event(
      "booking.accepted",
      { customer: customer.id, providerUser: provider.id },
      { actor: "provider" },
    );
    const result = await run("booking-events", [accepted]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await pushesTo(t)).toEqual([]);
    expect((await deliveries(accepted.meta.event_id)).map((d) => [d.status, d.error])).toEqual([
      ["skipped", "quiet_hours"],
    ]);
    const canceled = event(
      "booking.canceled",
      { customer: customer.id, providerUser: provider.id },
      { actor: "provider" },
    );
    await run("booking-events", [canceled]);
    expect(await pushesTo(t)).toHaveLength(1);
  });

  it("honours a push opt-out for non-critical events", async () => {
    const t = token();
    const customer = await user({ devices: [t], push: false, sms: false });
    const provider = await user();
    await run("booking-events", [
      event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" }),
    ]);
    expect(await pushesTo(t)).toEqual([]);
    expect(await smsTo(customer.phone)).toEqual([]);
  });

  it("retries only the message whose push failed transiently, and the retry does not resend what went out", async () => {
    const [ta, tb] = [token(), token()];
    const a = await user({ devices: [ta] });
    const b = await user({ devices: [tb] });
    const other = await user();
    const ea = event("booking.accepted", { customer: a.id, providerUser: other.id }, { actor: "provider" });
    const eb = event("booking.accepted", { customer: b.id, providerUser: other.id }, { actor: "provider" });
    await fetch(`${nenv.FCM_API_URL}/__sim/fail`, { method: "POST", body: JSON.stringify({ status: 503, count: 1 }) });
    const result = await run("booking-events", [ea, eb]);
    // Messages run side by side, so either one may meet the failure; exactly one is retried, the other acked.
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(1);
    const failedId = result.retryMessages[0]?.msgId;
    expect([failedId, ...result.explicitAcks].sort()).toEqual(["m0", "m1"]);
    const [failed, ok] = failedId === "m0" ? [ea, eb] : [eb, ea];
    const [failedToken, okToken] = failedId === "m0" ? [ta, tb] : [tb, ta];
    expect(await pushesTo(failedToken)).toEqual([]);
    expect(await pushesTo(okToken)).toHaveLength(1);
    const again = await run("booking-events", [failed, ok]);
    expect(again.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(await pushesTo(failedToken)).toHaveLength(1);
    expect(await pushesTo(okToken)).toHaveLength(1);
    expect((await deliveries(failed.meta.event_id))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("records a refused service-account signature as a failed delivery instead of crashing", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.completed", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    // A service account the simulator does not know: its JWT signature cannot verify.
    const { generateKeyPair, exportPKCS8 } = await import("jose");
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const sa = JSON.parse(nenv.FCM_SERVICE_ACCOUNT);
    const forged = {
      ...sa,
      private_key: await exportPKCS8(privateKey),
      client_email: `intruder-${crypto.randomUUID()}@example.iam`,
    };
    const { createExecutionContext, createMessageBatch, getQueueResult } = await import("cloudflare:test");
    const worker = (await import("../index")).default;
    const batch = createMessageBatch("booking-events", [{ id: "x", timestamp: new Date(), attempts: 1, body: e }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...nenv, FCM_SERVICE_ACCOUNT: JSON.stringify(forged) }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["x"]);
    const [d] = await deliveries(e.meta.event_id);
    expect(d).toMatchObject({ status: "failed" });
    expect(d?.error).toContain("invalid_grant");
    expect(await pushesTo(t)).toEqual([]);
  });

  it("marks what is still open as failed when an event reaches the dead-letter queue", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    await fetch(`${nenv.FCM_API_URL}/__sim/fail`, { method: "POST", body: JSON.stringify({ status: 500, count: 1 }) });
    expect((await run("booking-events", [e])).retryMessages).toEqual([{ msgId: "m0" }]);
    const dl = await run("booking-events-dlq", [e]);
    expect(dl.explicitAcks).toEqual(["m0"]);
    expect((await deliveries(e.meta.event_id)).map((d) => [d.status, d.error])).toEqual([["failed", "dead_letter"]]);
  });
});
