// Price quotes and the cancellation policy, in integer poisha. Pure.
import type { Actor, BookingStatus, PriceUnit } from "./enums";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Hourly work is charged to the minute (rounded up to the poisha), daily work per started day, a visit flat. */
export function quote(pricePoisha: number, unit: PriceUnit, start: Date, end: Date): number {
  const ms = end.getTime() - start.getTime();
  if (ms <= 0) throw new Error("empty window");
  if (unit === "visit") return pricePoisha;
  if (unit === "day") return pricePoisha * Math.ceil(ms / DAY_MS);
  return Math.ceil((pricePoisha * ms) / HOUR_MS);
}

export interface CancelPolicy {
  freeCancelHours: number;
  lateFeeHours: number;
}

export interface CancelTerms {
  feePoisha: number;
  refundPoisha: number;
  reason: "before_acceptance" | "early" | "late_customer" | "nothing_held" | "provider" | "operator";
}

/**
 * Free before acceptance or more than `freeCancelHours` before the start; a late customer cancel costs
 * `lateFeeHours` of the hourly rate (capped at the price), but only when money is held to take it from (a card
 * hold, a wallet payment): with nothing held (an accepted booking not yet confirmed, a cash booking) a fee would
 * be reported that nothing collects, so it is free (`nothing_held`). A provider or operator cancel refunds in full.
 */
export function cancelTerms(
  booking: {
    status: BookingStatus;
    start: Date;
    pricePoisha: number;
    unitPricePoisha: number;
    unit: PriceUnit;
    /** Whether money is held or taken for the booking, so a fee can be kept from it. */
    held: boolean;
  },
  actor: Actor,
  now: Date,
  policy: CancelPolicy,
): CancelTerms {
  const full = { feePoisha: 0, refundPoisha: booking.pricePoisha };
  if (actor === "provider") return { ...full, reason: "provider" };
  if (actor === "admin" || actor === "timer") return { ...full, reason: "operator" };
  if (booking.status === "PENDING") return { ...full, reason: "before_acceptance" };
  if (booking.start.getTime() - now.getTime() > policy.freeCancelHours * HOUR_MS) return { ...full, reason: "early" };
  if (!booking.held) return { ...full, reason: "nothing_held" };
  const hourly = booking.unit === "hour" ? booking.unitPricePoisha : Math.ceil(booking.unitPricePoisha / 8);
  const fee = Math.min(booking.pricePoisha, hourly * policy.lateFeeHours);
  return { feePoisha: fee, refundPoisha: booking.pricePoisha - fee, reason: "late_customer" };
}
