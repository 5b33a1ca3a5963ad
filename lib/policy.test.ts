import { describe, expect, it } from "vitest";
import { BOOKING_LIMITS, confirmDeadline } from "./policy";

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
