// The booking engine's events and the reviews' events, as their producers build them, parse with the queue's one
// schema (lib/messages.ts), which the notifications worker parses them with: every status and step, with and without
// cancel terms and via, and every review event.
import { describe, expect, it } from "vitest";
import { bookingEvent } from "../../durable-objects/provider-bookings/events";
import type { PaymentVia } from "../../durable-objects/provider-bookings/types";
import { RULES } from "../../lib/booking-machine";
import { ReviewEventType } from "../../lib/enums";
import { BookingEventMessage, BookingQueueMessage, ReviewEventMessage } from "../../lib/messages";
import { cancelTerms } from "../../lib/pricing";
import { publicationEvents, reviewEvent } from "../../workers/api/reviews/events";

const booking = { id: 41, customer_id: 7, provider_id: 3 };
const booking0 = booking;
const base = {
  provider_user_id: 9,
  price_poisha: 50_000,
  start_date: "2030-01-01T10:00:00.000Z",
  service_type: "driver",
};

/** What the statement that commits an event does to it: the new booking's id in `id` and in the body. */
const filled = (e: ReturnType<typeof bookingEvent>, id: number) => ({
  ...e,
  id,
  body: e.body.replace("#?", `#${id}`),
});

describe("booking-events messages", () => {
  it("parses the created event, before and after the commit fills in the new booking's id", () => {
    const created = bookingEvent({ ...booking, id: 0, status: "PENDING" }, 7, { ...base, from_status: null });
    expect(BookingEventMessage.parse(created)).toMatchObject({
      type: "booking.created",
      id: 0,
      body: "Booking #? created",
    });
    expect(BookingEventMessage.parse(filled(created, 41))).toMatchObject({ id: 41, body: "Booking #41 created" });
  });

  it("parses the event of every step the machine allows, for every actor who may take it", () => {
    let seen = 0;
    for (const rule of RULES) {
      for (const actor of rule.actors) {
        const terms =
          rule.action === "cancel" || rule.action === "expire"
            ? cancelTerms(
                {
                  status: rule.from,
                  start: new Date(base.start_date),
                  pricePoisha: 50_000,
                  unitPricePoisha: 25_000,
                  unit: "hour",
                  held: true,
                },
                actor,
                new Date("2030-01-01T09:00:00Z"),
                { freeCancelHours: 24, lateFeeHours: 1 },
              )
            : undefined;
        const meta = {
          ...base,
          actor,
          from_status: rule.from,
          ...(terms ? { fee_poisha: terms.feePoisha, refund_poisha: terms.refundPoisha, policy: terms.reason } : {}),
        };
        const event = bookingEvent({ ...booking, status: rule.to }, actor === "timer" ? null : 7, meta);
        const parsed = BookingEventMessage.parse(event);
        expect(parsed.type).toBe(`booking.${rule.to.toLowerCase()}`);
        expect(parsed.meta).toMatchObject({ actor, from_status: rule.from });
        if (terms) expect(parsed.meta.fee_poisha).toBe(terms.feePoisha);
        seen++;
      }
    }
    expect(seen).toBe(RULES.reduce((n, r) => n + r.actors.length, 0));
  });

  it("parses a confirm driven by a wallet callback or the reconciler", () => {
    const vias: PaymentVia[] = ["callback", "reconcile"];
    for (const via of vias) {
      const event = bookingEvent({ ...booking, status: "CONFIRMED" }, 7, {
        ...base,
        actor: "customer",
        from_status: "ACCEPTED",
        via,
      });
      expect(BookingEventMessage.parse(event).meta.via).toBe(via);
    }
  });

  it("parses the booking a job request's match made, created ACCEPTED with its source", () => {
    const event = bookingEvent({ ...booking, id: 0, status: "ACCEPTED" }, 9, {
      ...base,
      actor: "provider",
      from_status: null,
      source: "match",
      request_id: 5,
      offer_id: 17,
    });
    expect(BookingEventMessage.parse(filled(event, 41))).toMatchObject({
      type: "booking.accepted",
      meta: { source: "match", request_id: 5, offer_id: 17, from_status: null },
    });
  });

  it("refuses a message the consumer could not word (a missing provider user, an unknown type)", () => {
    const event = bookingEvent({ ...booking, status: "ACCEPTED" }, 9, {
      ...base,
      actor: "provider",
      from_status: "PENDING",
    });
    expect(BookingEventMessage.safeParse({ ...event, type: "booking.pending" }).success).toBe(false);
    const { provider_user_id: _, ...meta } = event.meta;
    expect(BookingEventMessage.safeParse({ ...event, meta }).success).toBe(false);
  });
});

describe("review events on booking-events", () => {
  const parties = { booking_id: 41, customer_id: 7, provider_id: 3, provider_user_id: 9, service_type: "driver" };
  const closes = new Date("2030-01-15T10:00:00Z");

  it("parses every review event the gateway builds, and the queue schema tells them from booking events", () => {
    for (const type of ReviewEventType.options) {
      const e = reviewEvent(type, parties, ["customer", "provider"], closes);
      expect(ReviewEventMessage.parse(e)).toMatchObject({ type, booking_id: 41, to: ["customer", "provider"] });
      expect(BookingQueueMessage.parse(e).type).toBe(type);
    }
    const booking = bookingEvent({ ...booking0, status: "COMPLETED" }, 9, { ...base, from_status: "CONFIRMED" });
    expect("status" in BookingQueueMessage.parse(booking)).toBe(true);
  });

  it("prepares one publication per side, each for the other side, as publish_reviews completes them", () => {
    const prepared = publicationEvents(parties, ["customer", "provider"], closes);
    expect(prepared.map((p) => [p.side, p.payload.to])).toEqual([
      ["customer", ["provider"]],
      ["provider", ["customer"]],
    ]);
    const filled = { ...prepared[0]?.payload, meta: { ...prepared[0]?.payload.meta, review_id: 5, rating: 4 } };
    expect(ReviewEventMessage.parse(filled).meta).toMatchObject({ review_id: 5, rating: 4 });
    expect(ReviewEventMessage.safeParse({ ...filled, to: [] }).success).toBe(false);
    expect(ReviewEventMessage.safeParse({ ...filled, meta: { ...filled.meta, rating: 6 } }).success).toBe(false);
  });
});
