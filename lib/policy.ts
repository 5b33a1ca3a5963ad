// Abuse limits and booking-policy bounds, in one place: what a fresh account may hold, how long an unconfirmed
// acceptance keeps a slot, how many devices and login codes a person may have. Production defaults here; each has
// a configuration variable (platform/config.ts) where an operator may need to tune it; the dev stack lifts the two
// open-request caps (dev/dev.mjs, DEV_POLICY) and tests run with these values. SECURITY.md says which attack each
// one answers.
import { DHAKA_OFFSET_MS } from "./availability";

/** Rate limits enforced in Redis (sliding windows shared by every edge location). */
export const RATE_LIMITS = {
  /**
   * Code requests for one number from one requester (IP; IPv6 by /64). Keyed per requester so that a stranger
   * using up their share does not lock the number's owner out: the owner asks from their own network.
   */
  otpRequestPerPhoneRequester: { tokens: 5, window: "1 h" },
  /**
   * SMS actually sent to one number, from every requester together: a stranger with many addresses still cannot
   * make us SMS someone all day. Generous, and it never touches a live code, which each of those SMS carries.
   */
  otpSendPerPhone: { tokens: 10, window: "1 h" },
  /** Per requester (IP): one phone cannot spray codes at many numbers. Generous per IP: carriers CGNAT. */
  otpRequestPerIp: { tokens: 60, window: "15 m" },
  /** Verify attempts for one number from one requester (fresh codes included); other requesters are not affected. */
  otpVerifyPerPhoneRequester: { tokens: 10, window: "15 m" },
  /** Wallet return URLs are public: each known one makes us ask the gateway, so one payment gets a few a minute. */
  paymentCallbackPerRef: { tokens: 10, window: "1 m" },
} as const;

export interface BookingLimits {
  /** PENDING requests one customer may have open at once (a recurring series counts once). */
  pendingPerCustomer: number;
  /** PENDING requests one provider may have waiting for one Dhaka calendar day, from all customers together. */
  pendingPerProviderDay: number;
  /** Hours an ACCEPTED booking waits for the customer's confirm (never past its start) before it lapses. */
  confirmWithinHours: number;
  /** How far ahead a booking may start. */
  horizonDays: number;
}

export const BOOKING_LIMITS: BookingLimits = {
  pendingPerCustomer: 5,
  pendingPerProviderDay: 8,
  confirmWithinHours: 24,
  horizonDays: 365,
};

/** Job requests (matching): how many one customer may have searching at once. */
export const MATCH_LIMITS = { openPerCustomer: 3 } as const;

/** Push devices per user; registering one more drops the least recently seen. */
export const DEVICES_PER_USER = 10;

/**
 * Seconds before another SMS may go to the same number, whoever asks: a request inside it answers 429 with
 * Retry-After and sends nothing. A live code is never replaced: a request after the interval re-sends the same code,
 * so nobody else's requests can invalidate the code the owner is typing.
 */
export const OTP_RESEND_AFTER_S = 60;

/**
 * Wrong tries at one code from one requester (IP; IPv6 by /64): after these that requester is refused for the
 * code, but it stays valid for everyone else, so a stranger's guesses do not burn the owner's code.
 */
export const OTP_TRIES_PER_REQUESTER = 5;

/**
 * Wrong tries at one code from all requesters together, after which it dies: bounds guessing with many addresses
 * (20 in a million). The owner then asks for a new code, at most OTP_RESEND_AFTER_S later.
 */
export const OTP_TRIES_PER_CODE = 20;

/** When an ACCEPTED booking lapses if the customer never confirms: `hours` after acceptance, never past its start. */
export function confirmDeadline(acceptedAt: Date, start: Date, hours: number): Date {
  return new Date(Math.min(acceptedAt.getTime() + hours * 3_600_000, start.getTime()));
}

const DAY_MS = 86_400_000;

/**
 * The Dhaka calendar day a booking starting at `start` falls on, as a UTC half-open range [from, to): what the
 * per-provider-day cap on PENDING requests counts over.
 */
export function dhakaDayOf(start: Date): { from: Date; to: Date } {
  const from = Math.floor((start.getTime() + DHAKA_OFFSET_MS) / DAY_MS) * DAY_MS - DHAKA_OFFSET_MS;
  return { from: new Date(from), to: new Date(from + DAY_MS) };
}
