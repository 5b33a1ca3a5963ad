// Who hears about which booking event, on which channels, and when. Pure.
import { DHAKA_OFFSET_MS } from "../../../lib/availability";
import {
  type Actor,
  type BookingEventType,
  type NotificationEventType,
  ReviewEventType,
  type Role,
} from "../../../lib/enums";

/** The two parties of a booking; operators are not notified. */
export type Party = Extract<Role, "customer" | "provider">;

/** Confirmations and cancellations matter too much to miss: they add SMS and ignore opt-outs and quiet hours. */
export const CRITICAL: ReadonlySet<NotificationEventType> = new Set(["booking.confirmed", "booking.canceled"]);

/** Review requests, reminders and publications are pushes only: never worth an SMS, and they keep quiet hours. */
export const PUSH_ONLY: ReadonlySet<NotificationEventType> = new Set(ReviewEventType.options);

/**
 * The other party of a step; both parties when a booking is canceled. A booking a job request's match made
 * (`source: "match"`, created ACCEPTED) tells nobody: its customer hears `request.matched` from the matching queue,
 * and its provider is the one who just accepted.
 */
export function recipients(type: BookingEventType, actor: Actor | undefined, source?: "match"): Party[] {
  if (source === "match" && type === "booking.accepted") return [];
  switch (type) {
    case "booking.created":
    case "booking.confirmed":
      return ["provider"];
    case "booking.accepted":
    case "booking.declined":
    case "booking.completed":
    case "booking.expired":
      return ["customer"];
    case "booking.canceled":
      if (actor === "customer") return ["provider", "customer"];
      if (actor === "provider") return ["customer", "provider"];
      return ["customer", "provider"];
  }
}

export interface Prefs {
  notify_push: boolean;
  notify_sms: boolean;
  quiet_start_min: number | null;
  quiet_end_min: number | null;
}

/** Minute of the day in Dhaka. */
export function dhakaMinute(at: Date): number {
  const ms = at.getTime() + DHAKA_OFFSET_MS;
  return Math.floor((((ms % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/** Seconds until quiet hours end, or 0 when not in quiet hours. A window with start > end wraps past midnight. */
export function quietFor(prefs: Prefs, at: Date): number {
  const { quiet_start_min: s, quiet_end_min: e } = prefs;
  if (s === null || e === null || s === e) return 0;
  const m = dhakaMinute(at);
  const inside = s < e ? m >= s && m < e : m >= s || m < e;
  if (!inside) return 0;
  const minutes = (e - m + 1440) % 1440;
  return minutes * 60 - (at.getUTCSeconds() % 60);
}

export interface Plan {
  push: boolean;
  sms: boolean;
  /** Hold everything back this many seconds (quiet hours); 0 sends now. */
  holdS: number;
}

/**
 * Channels for one recipient: push to every device unless opted out; SMS for critical events, or when no device
 * (except for push-only events).
 */
export function plan(type: NotificationEventType, prefs: Prefs, devices: number, at: Date): Plan {
  const critical = CRITICAL.has(type);
  const push = devices > 0 && (critical || prefs.notify_push);
  const sms = critical || (prefs.notify_sms && !push && !PUSH_ONLY.has(type));
  return { push, sms, holdS: critical ? 0 : quietFor(prefs, at) };
}
