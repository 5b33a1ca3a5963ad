import { describe, expect, it } from "vitest";
import { deliveries, pushesTo, reviewEvent, run, smsTo, token, user } from "./harness";

describe("review event fan-out", () => {
  it("asks both parties for their reviews, each in their own language and as their side", async () => {
    const [tc, tp] = [token(), token()];
    const customer = await user({ lang: "bn", devices: [tc] });
    const provider = await user({ lang: "en", devices: [tp] });
    const e = reviewEvent(
      "review.requested",
      { customer: customer.id, providerUser: provider.id },
      ["customer", "provider"],
      {
        bookingId: 42,
      },
    );
    const result = await run("booking-events", [e]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const [toCustomer] = await pushesTo(tc);
    const [toProvider] = await pushesTo(tp);
    expect(toCustomer?.notification.title).toBe("কাজ কেমন হলো?");
    expect(toCustomer?.notification.body).toContain("বুকিং #৪২ সম্পন্ন");
    expect(toCustomer?.notification.body).toContain("সেবাদাতাকে রেটিং দিন");
    expect(toProvider?.notification).toMatchObject({ title: "Rate your customer" });
    expect(toProvider?.notification.body).toContain("Booking #42 is complete. Rate your customer by 24 Jan");
    expect(toProvider?.data).toMatchObject({ type: "review.requested", booking_id: "42", event_id: e.meta.event_id });
    expect((await deliveries(e.meta.event_id)).map((d) => [d.channel, d.status])).toEqual([
      ["push", "sent"],
      ["push", "sent"],
    ]);
  });

  it("tells the party reviewed, with the stars, and only them", async () => {
    const [tc, tp] = [token(), token()];
    const customer = await user({ devices: [tc] });
    const provider = await user({ devices: [tp] });
    const e = reviewEvent("review.published", { customer: customer.id, providerUser: provider.id }, ["provider"], {
      rating: 5,
      reviewId: 77,
      bookingId: 9,
    });
    await run("booking-events", [e]);
    const [push] = await pushesTo(tp);
    expect(push?.notification).toEqual({ title: "New review", body: "You got a new review (5 stars) for booking #9." });
    expect(push?.data).toMatchObject({ type: "review.published", review_id: "77" });
    expect(await pushesTo(tc)).toEqual([]);
  });

  it("reminds only who has not written, pushes only (no SMS fallback), and notifies once when delivered twice", async () => {
    const t = token();
    const withDevice = await user({ devices: [t] });
    const noDevice = await user();
    const e = reviewEvent("review.reminder", { customer: noDevice.id, providerUser: withDevice.id }, [
      "provider",
      "customer",
    ]);
    await run("booking-events", [e]);
    await run("booking-events", [e]);
    expect(await pushesTo(t)).toHaveLength(1);
    expect((await pushesTo(t))[0]?.notification.title).toBe("Last chance to review");
    expect(await smsTo(noDevice.phone)).toEqual([]);
    expect((await deliveries(e.meta.event_id)).map((d) => d.status)).toEqual(["sent"]);
  });

  it("drops a review event it could not word (no recipients), without retrying it", async () => {
    const customer = await user();
    const bad = {
      ...reviewEvent("review.requested", { customer: customer.id, providerUser: customer.id }, ["customer"]),
      to: [],
    };
    const result = await run("booking-events", [bad]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
  });
});
