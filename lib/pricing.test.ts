import { describe, expect, it } from "vitest";
import { cancelTerms, quote } from "./pricing";

const at = (h: number) => new Date(Date.UTC(2030, 0, 1, h));

describe("quote", () => {
  it("charges hourly work to the minute, rounding up to the poisha", () => {
    expect(quote(25_000, "hour", at(9), at(17))).toBe(200_000);
    expect(quote(25_000, "hour", at(9), new Date(at(9).getTime() + 90 * 60_000))).toBe(37_500);
    expect(quote(10_001, "hour", at(9), new Date(at(9).getTime() + 60_000))).toBe(167);
  });

  it("charges daily work per started day and a visit flat", () => {
    expect(quote(150_000, "day", at(0), at(25))).toBe(300_000);
    expect(quote(80_000, "visit", at(9), at(11))).toBe(80_000);
  });
});

describe("cancellation policy", () => {
  const policy = { freeCancelHours: 24, lateFeeHours: 1 };
  const booking = {
    start: at(48),
    pricePoisha: 200_000,
    unitPricePoisha: 25_000,
    unit: "hour" as const,
    held: true,
  };

  it("is free before acceptance, even at the last minute", () => {
    expect(cancelTerms({ ...booking, status: "PENDING" }, "customer", at(47), policy)).toMatchObject({
      feePoisha: 0,
      refundPoisha: 200_000,
      reason: "before_acceptance",
    });
  });

  it("is free more than 24 h before the start", () => {
    expect(cancelTerms({ ...booking, status: "CONFIRMED" }, "customer", at(23), policy).feePoisha).toBe(0);
  });

  it("costs a late customer one hour of the rate", () => {
    expect(cancelTerms({ ...booking, status: "CONFIRMED" }, "customer", at(30), policy)).toEqual({
      feePoisha: 25_000,
      refundPoisha: 175_000,
      reason: "late_customer",
    });
  });

  it("charges no late fee when nothing is held to take it from (accepted but unconfirmed, or cash)", () => {
    for (const status of ["ACCEPTED", "CONFIRMED"] as const) {
      expect(cancelTerms({ ...booking, status, held: false }, "customer", at(47), policy)).toEqual({
        feePoisha: 0,
        refundPoisha: 200_000,
        reason: "nothing_held",
      });
    }
    // Early enough, it is free for the ordinary reason.
    expect(cancelTerms({ ...booking, status: "ACCEPTED", held: false }, "customer", at(1), policy).reason).toBe(
      "early",
    );
  });

  it("refunds in full when the provider cancels", () => {
    expect(cancelTerms({ ...booking, status: "CONFIRMED" }, "provider", at(47), policy)).toMatchObject({
      feePoisha: 0,
      refundPoisha: 200_000,
    });
  });
});
