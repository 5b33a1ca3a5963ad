import { describe, expect, it } from "vitest";
import { decideReview, firstName, otherSide, type ReviewContext, replyOpen, windowClosesAt } from "./review-policy";

const now = new Date("2027-01-10T12:00:00Z");
const open: ReviewContext = {
  status: "COMPLETED",
  side: "customer",
  admin: false,
  closesAt: new Date("2027-01-20T12:00:00Z"),
  reviewed: false,
  paid: true,
  sharedDevice: false,
};
const code = (ctx: Partial<ReviewContext>) => {
  const d = decideReview({ ...open, ...ctx }, now);
  return d.ok ? "ok" : `${d.code}:${d.message}`;
};

describe("who may review a booking, and when", () => {
  it("lets either party review a completed, paid booking inside its window", () => {
    expect(decideReview(open, now)).toEqual({ ok: true, side: "customer" });
    expect(decideReview({ ...open, side: "provider" }, now)).toEqual({ ok: true, side: "provider" });
  });

  it("hides the booking from strangers (404) and refuses admins (403)", () => {
    expect(code({ side: null })).toBe("not_found:not_found");
    expect(code({ side: null, admin: true })).toBe("forbidden:forbidden");
  });

  it("refuses bookings that never completed, a closed window, a second review, a refunded job, a shared device", () => {
    for (const status of ["PENDING", "ACCEPTED", "CONFIRMED", "CANCELED", "DECLINED", "EXPIRED"] as const) {
      expect(code({ status, closesAt: null })).toBe("conflict:review_not_open");
    }
    expect(code({ closesAt: now })).toBe("conflict:review_window_closed");
    expect(code({ reviewed: true })).toBe("conflict:already_reviewed");
    expect(code({ paid: false })).toBe("conflict:review_not_paid");
    expect(code({ sharedDevice: true })).toBe("forbidden:review_shared_device");
  });

  it("closes the window the configured days after completion", () => {
    expect(windowClosesAt(new Date("2027-01-01T00:00:00Z"), 14).toISOString()).toBe("2027-01-15T00:00:00.000Z");
    expect(windowClosesAt(new Date("2027-01-01T00:00:00Z"), 0.5).toISOString()).toBe("2027-01-01T12:00:00.000Z");
  });
});

describe("replies and names", () => {
  it("keeps a reply editable for the given hours after it was first written", () => {
    expect(replyOpen(null, now, 48)).toBe(true);
    expect(replyOpen(new Date("2027-01-08T12:00:01Z"), now, 48)).toBe(true);
    expect(replyOpen(new Date("2027-01-08T12:00:00Z"), now, 48)).toBe(false);
  });

  it("shows a reviewer by the first word of their name only", () => {
    expect(firstName("  Nusrat Jahan Chowdhury ")).toBe("Nusrat");
    expect(firstName("রহিম উদ্দিন")).toBe("রহিম");
    expect(firstName(null)).toBeNull();
    expect(firstName("   ")).toBeNull();
    expect(otherSide("customer")).toBe("provider");
  });
});
