// Abuse limits and booking-policy bounds, in one place: what a fresh account may hold, how long an unconfirmed
// acceptance keeps a slot, how many devices and login codes a person may have. Production defaults here; each has
// a configuration variable (platform/config.ts) and development overrides in wrangler.toml [vars]. SECURITY.md
// says which attack each one answers.
import { DHAKA_OFFSET_MS } from "./availability";

/** Rate limits enforced in Redis (sliding windows shared by every edge location). */
export const RATE_LIMITS = {
  /** Codes sent to one number: a stranger cannot make us SMS someone all day. */
  otpRequestPerPhone: { tokens: 5, window: "1 h" },
  /** Per requester (device id or IP): one phone cannot spray codes at many numbers. Generous per IP: carriers CGNAT. */
  otpRequestPerIp: { tokens: 60, window: "15 m" },
  otpVerifyPerPhone: { tokens: 10, window: "15 m" },
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

/** Push devices per user; registering one more drops the least recently seen. */
export const DEVICES_PER_USER = 10;

/** Seconds before another code may be sent to the same number; the live code stays valid meanwhile. */
export const OTP_RESEND_AFTER_S = 60;

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
