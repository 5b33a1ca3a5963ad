import { describe, expect, it } from "vitest";
import { BOOKING_LIMITS, confirmDeadline, dhakaDayOf } from "./policy";

describe("confirm deadline", () => {
  it("gives the customer the configured hours after acceptance", () => {
    const at = new Date("2026-12-01T10:00:00Z");
    const start = new Date("2026-12-05T10:00:00Z");
    expect(confirmDeadline(at, start, 24).toISOString()).toBe("2026-12-02T10:00:00.000Z");
  });

  it("never lets an unconfirmed acceptance hold the slot past its start", () => {
    const at = new Date("2026-12-01T10:00:00Z");
    const start = new Date("2026-12-01T12:00:00Z");
    expect(confirmDeadline(at, start, BOOKING_LIMITS.confirmWithinHours)).toEqual(start);
  });
});

describe("the Dhaka day of a booking", () => {
  it("runs from Dhaka midnight to Dhaka midnight (18:00 to 18:00 UTC)", () => {
    expect(dhakaDayOf(new Date("2026-12-01T17:59:00Z"))).toEqual({
      from: new Date("2026-11-30T18:00:00Z"),
      to: new Date("2026-12-01T18:00:00Z"),
    });
    expect(dhakaDayOf(new Date("2026-12-01T18:00:00Z")).from).toEqual(new Date("2026-12-01T18:00:00Z"));
  });
});
