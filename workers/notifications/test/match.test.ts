// Matching pushes through the real consumer and the FCM and SMS simulators: an offer in the provider's language
// (what, how far, when, the pay), notify-once, its withdrawal replacing it on the device, quiet hours and opt-outs
// for offers, and the customer's answer always delivered (by SMS without a device).
import { describe, expect, it } from "vitest";
import { MatchEventMessage } from "../../../lib/messages";
import { deliveries, pushesTo, run, smsTo, token, user } from "./harness";

const base = (recipient: number) => ({
  event_id: crypto.randomUUID(),
  request_id: 1 + Math.floor(Math.random() * 1e9),
  recipient_id: recipient,
  at: new Date().toISOString(),
});

const offer = (recipient: number, offerId = 1 + Math.floor(Math.random() * 1e9)) =>
  MatchEventMessage.parse({
    type: "offer.created",
    ...base(recipient),
    offer_id: offerId,
    service_type: "tutor",
    start_date: "2031-01-10T03:00:00.000Z",
    end_date: "2031-01-10T05:00:00.000Z",
    price_poisha: 80_000,
    unit: "hour",
    distance_m: 2300,
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  });

const dhakaMinuteNow = () => Math.floor(((Date.now() + 6 * 3_600_000) % 86_400_000) / 60_000);

type Push = {
  notification: { title: string; body: string };
  data: Record<string, string>;
  android: { notification: { tag: string } };
};

describe("matching pushes", () => {
  it("offers the job in the provider's language, once, and replaces it on the device when it is withdrawn", async () => {
    const t = token();
    const provider = await user({ lang: "bn", devices: [t] });
    const e = offer(provider.id);
    expect((await run("match-events", [e])).explicitAcks).toEqual(["m0"]);
    await run("match-events", [e]);
    const pushes = (await pushesTo(t)) as unknown as Push[];
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.notification.title).toBe("নতুন কাজ: গৃহশিক্ষক, ২.৩ কিমি দূরে");
    expect(pushes[0]?.notification.body).toContain("৳৮০০");
    expect(pushes[0]?.data).toMatchObject({
      type: "offer.created",
      offer_id: String(e.type === "offer.created" && e.offer_id),
    });
    const tag = pushes[0]?.android.notification.tag;
    expect(tag).toBe(`offer-${e.type === "offer.created" ? e.offer_id : 0}`);
    const log = await deliveries(e.event_id);
    expect(log.map((d) => [d.channel, d.status])).toEqual([["push", "sent"]]);

    const gone = MatchEventMessage.parse({
      type: "offer.withdrawn",
      ...base(provider.id),
      request_id: e.request_id,
      offer_id: e.type === "offer.created" ? e.offer_id : 0,
      reason: "matched",
    });
    await run("match-events", [gone]);
    const after = (await pushesTo(t)) as unknown as Push[];
    expect(after).toHaveLength(2);
    expect(after[1]?.android.notification.tag).toBe(tag);
    expect(after[1]?.notification).toEqual({ title: "কাজটি আর নেই", body: "অন্য একজন সেবাদাতা কাজটি নিয়েছেন।" });
  });

  it("holds an offer back in quiet hours or with pushes off, never by SMS", async () => {
    const now = dhakaMinuteNow();
    const [t1, t2] = [token(), token()];
    const sleeping = await user({ devices: [t1], quiet: [(now + 1440 - 30) % 1440, (now + 30) % 1440] });
    const optedOut = await user({ devices: [t2], push: false });
    const bare = await user({});
    await run("match-events", [offer(sleeping.id), offer(optedOut.id), offer(bare.id)]);
    expect(await pushesTo(t1)).toEqual([]);
    expect(await pushesTo(t2)).toEqual([]);
    expect(await smsTo(bare.phone)).toEqual([]);
  });

  it("tells the customer their request matched even in quiet hours, and by SMS when they have no device", async () => {
    const now = dhakaMinuteNow();
    const t = token();
    const waiting = await user({ lang: "en", devices: [t], quiet: [(now + 1440 - 30) % 1440, (now + 30) % 1440] });
    const matched = MatchEventMessage.parse({
      type: "request.matched",
      ...base(waiting.id),
      booking_id: 4242,
      service_type: "tutor",
      start_date: "2031-01-10T03:00:00.000Z",
      price_poisha: 80_000,
    });
    await run("match-events", [matched]);
    const [push] = (await pushesTo(t)) as unknown as Push[];
    expect(push?.notification.title).toBe("Provider found");
    expect(push?.notification.body).toContain("#4242");
    expect(push?.data).toMatchObject({ type: "request.matched", booking_id: "4242" });
    const noDevice = await user({ lang: "bn" });
    const none = MatchEventMessage.parse({
      type: "request.no_provider",
      ...base(noDevice.id),
      service_type: "tutor",
      start_date: "2031-01-10T03:00:00.000Z",
    });
    await run("match-events", [none]);
    const [sms] = await smsTo(noDevice.phone);
    expect(sms?.sms).toContain("কোনো সেবাদাতা পাওয়া যায়নি");
    expect((await deliveries(none.event_id)).map((d) => [d.channel, d.status])).toEqual([["sms", "sent"]]);
  });

  it("drops a malformed match event instead of retrying it forever", async () => {
    const result = await run("match-events", [{ type: "offer.created", offer_id: "x" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
  });
});
