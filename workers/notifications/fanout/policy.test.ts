import { describe, expect, it } from "vitest";
import { BookingEventType } from "../../../lib/enums";
import { plan, quietFor, recipients } from "./policy";

const prefs = { notify_push: true, notify_sms: true, quiet_start_min: null, quiet_end_min: null };
const quiet = { ...prefs, quiet_start_min: 22 * 60, quiet_end_min: 7 * 60 };

describe("notification policy", () => {
  it("tells the other party, and both parties of a cancellation", () => {
    expect(recipients("booking.created", "customer")).toEqual(["provider"]);
    expect(recipients("booking.accepted", "provider")).toEqual(["customer"]);
    expect(recipients("booking.confirmed", "customer")).toEqual(["provider"]);
    expect(recipients("booking.completed", "provider")).toEqual(["customer"]);
    expect(recipients("booking.canceled", "customer").sort()).toEqual(["customer", "provider"]);
    expect(recipients("booking.expired", "timer")).toEqual(["customer"]);
  });

  it("tells nobody of a match's booking accepted: the customer hears request.matched, the provider accepted it", () => {
    expect(recipients("booking.accepted", "provider", "match")).toEqual([]);
    expect(recipients("booking.canceled", "customer", "match").sort()).toEqual(["customer", "provider"]);
  });

  it("tells someone about every booking event type", () => {
    for (const type of BookingEventType.options) {
      expect(recipients(type, "admin").length, type).toBeGreaterThan(0);
    }
  });

  it("pushes to devices, falls back to SMS without one, and adds SMS for critical events", () => {
    const at = new Date("2031-01-10T06:00:00Z"); // 12:00 in Dhaka
    expect(plan("booking.accepted", prefs, 2, at)).toEqual({ push: true, sms: false, holdS: 0 });
    expect(plan("booking.accepted", prefs, 0, at)).toEqual({ push: false, sms: true, holdS: 0 });
    expect(plan("booking.confirmed", prefs, 1, at)).toEqual({ push: true, sms: true, holdS: 0 });
  });

  it("honours opt-outs for non-critical events only", () => {
    const at = new Date("2031-01-10T06:00:00Z");
    const none = { ...prefs, notify_push: false, notify_sms: false };
    expect(plan("booking.accepted", none, 1, at)).toEqual({ push: false, sms: false, holdS: 0 });
    expect(plan("booking.canceled", none, 1, at)).toEqual({ push: true, sms: true, holdS: 0 });
  });

  it("holds non-critical messages through quiet hours across Dhaka midnight, never critical ones", () => {
    // 23:30 Dhaka = 17:30Z: 7 h 30 min to 07:00.
    const late = new Date("2031-01-10T17:30:00Z");
    expect(quietFor(quiet, late)).toBe(7.5 * 3600);
    // 06:59 Dhaka = 00:59Z: one minute left.
    expect(quietFor(quiet, new Date("2031-01-11T00:59:00Z"))).toBe(60);
    expect(quietFor(quiet, new Date("2031-01-11T01:00:00Z"))).toBe(0);
    expect(plan("booking.accepted", quiet, 1, late).holdS).toBe(7.5 * 3600);
    expect(plan("booking.confirmed", quiet, 1, late).holdS).toBe(0);
  });

  it("sends review events as pushes only, kept to quiet hours, never falling back to SMS", () => {
    const at = new Date("2031-01-10T06:00:00Z");
    expect(plan("review.requested", prefs, 0, at)).toEqual({ push: false, sms: false, holdS: 0 });
    expect(plan("review.reminder", prefs, 2, at)).toEqual({ push: true, sms: false, holdS: 0 });
    expect(plan("review.published", quiet, 1, new Date("2031-01-10T17:30:00Z")).holdS).toBe(7.5 * 3600);
  });
});
