// Who may review a booking, and when: the pure rules behind POST /booking/bookings/{id}/review, the provider's reply
// and the guards against gamed reviews. The statement that writes a review checks the racy parts again (the window,
// one per side) under the window's lock.
import type { BookingStatus, ReviewSide } from "./enums";
import type { ErrorDetails } from "./error-details";
import type { ErrorCode } from "./errors";
import type { MessageKey } from "./i18n";

/** Review text as typed, in characters (the redactor's markers may add a few). */
export const REVIEW_TEXT_MAX = 1000;

/**
 * A burst: the `burstCount`-th review of one provider within `burstWindowHours` from accounts younger than
 * `newAccountDays` flags it and the others of the burst for an admin (they stay up and count until hidden).
 */
export const REVIEW_GUARDS = { newAccountDays: 7, burstWindowHours: 24, burstCount: 3 } as const;

/** The guards as the submitting statement takes them, in seconds. */
export const guardParams = () => ({
  new_account_s: REVIEW_GUARDS.newAccountDays * 86_400,
  burst_s: REVIEW_GUARDS.burstWindowHours * 3_600,
  burst_count: REVIEW_GUARDS.burstCount,
});

/** When a booking's review window closes: `days` after its completion. */
export function windowClosesAt(completedAt: Date, days: number): Date {
  return new Date(completedAt.getTime() + days * 86_400_000);
}

export interface ReviewContext {
  status: BookingStatus;
  /** Which party the caller is, or null when neither. */
  side: ReviewSide | null;
  admin: boolean;
  /** When the window closes (null: the booking never completed). */
  closesAt: Date | null;
  /** Whether the caller's side has written its review already. */
  reviewed: boolean;
  /** Whether the booking's money was kept (paid, or cash recorded as due): a refunded job is not reviewed. */
  paid: boolean;
  /** Whether the two parties ever signed in on one device. */
  sharedDevice: boolean;
}

export type ReviewDecision =
  | { ok: true; side: ReviewSide }
  | { ok: false; code: ErrorCode; message: MessageKey; details?: ErrorDetails };

/**
 * The order matters: strangers learn nothing (404, as for the booking itself); an admin sees the booking but writes
 * no review (403); then the booking's state, the window, the one review per side, and the guards.
 */
export function decideReview(ctx: ReviewContext, now: Date): ReviewDecision {
  if (ctx.side === null) {
    return ctx.admin ? { ok: false, code: "forbidden", message: "forbidden" } : refusal("not_found", "not_found");
  }
  const state: ErrorDetails = { kind: "state", status: ctx.status };
  if (ctx.status !== "COMPLETED" || ctx.closesAt === null) return refusal("conflict", "review_not_open", state);
  if (now.getTime() >= ctx.closesAt.getTime()) return refusal("conflict", "review_window_closed", state);
  if (ctx.reviewed) return refusal("conflict", "already_reviewed", state);
  if (!ctx.paid) return refusal("conflict", "review_not_paid", state);
  if (ctx.sharedDevice) return refusal("forbidden", "review_shared_device");
  return { ok: true, side: ctx.side };
}

const refusal = (code: ErrorCode, message: MessageKey, details?: ErrorDetails): ReviewDecision =>
  details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };

/** The other side of a booking: whom a review by `side` is about. */
export const otherSide = (side: ReviewSide): ReviewSide => (side === "customer" ? "provider" : "customer");

/** A provider replies once to a review of them, and may edit the reply for `editHours` after first writing it. */
export function replyOpen(firstRepliedAt: Date | null, now: Date, editHours: number): boolean {
  return firstRepliedAt === null || now.getTime() < firstRepliedAt.getTime() + editHours * 3_600_000;
}

/** The first word of a name, as reviews show their authors; null for no name. */
export function firstName(name: string | null): string | null {
  const first = name?.trim().split(/\s+/u)[0];
  return first ? first.slice(0, 60) : null;
}
