// A create, as pure steps around the object's two round trips: the window and what to read for it, the decision on
// what was read, and the booking row and event to commit.
import { windowWeekRange } from "../../lib/availability";
import { withinHorizon } from "../../lib/input";
import { confirmDeadline, dhakaDayOf } from "../../lib/policy";
import { quote } from "../../lib/pricing";
import type { Config } from "../../platform/config";
import type { Commit } from "./commit";
import { bookingEvent } from "./events";
import type { InsertParams, ProviderContext } from "./sql";
import type { CreateInput } from "./types";
import { fail, type Outcome } from "./views";

const MINUTE = 60_000;

export interface BookingWindow {
  start: Date;
  end: Date;
}

export function windowOf(input: CreateInput): BookingWindow {
  return { start: new Date(input.body.start_date), end: new Date(input.body.end_date) };
}

/** The provider context's own parameters (after the key's) for this window. */
export function contextParams(input: CreateInput, w: BookingWindow) {
  const [weekFrom, weekTo] = windowWeekRange(w.start, w.end);
  const day = dhakaDayOf(w.start);
  return {
    day_from: day.from.toISOString(),
    day_to: day.to.toISOString(),
    provider_id: input.body.provider_id,
    service_type: input.body.service_type,
    week_from: weekFrom,
    week_to: weekTo,
    start_date: w.start.toISOString(),
    end_date: w.end.toISOString(),
  };
}

/** What a create that may go ahead commits. */
export interface CreatePlan {
  insert: InsertParams;
  commit: Commit;
  /** Where the provider works (the search cell to invalidate). */
  at: { lat: number; lng: number } | null;
}

/**
 * Decides a create on what was read: a refusal, or the booking to insert with its audit meta and event.
 * `slotTaken` asks the cache again, now that the read is back.
 */
export function decideCreate(
  input: CreateInput,
  w: BookingWindow,
  p: ProviderContext,
  cfg: Config,
  slotTaken: () => boolean,
  now = Date.now(),
): { ok: false; refusal: Outcome } | { ok: true; plan: CreatePlan } {
  const { body, actor } = input;
  const no = (refusal: Outcome) => ({ ok: false as const, refusal });
  const minutes = (w.end.getTime() - w.start.getTime()) / MINUTE;
  // Unverified providers are not public: to a customer they do not exist.
  if (p.verification_status !== "verified" || p.user_id === null) return no(fail("not_found", "provider_not_bookable"));
  if (p.user_id === actor.userId) return no(fail("forbidden", "self_booking"));
  if (!p.service) return no(fail("invalid_input", "service_not_offered"));
  if (w.start.getTime() < now + cfg.BOOKING_MIN_NOTICE_MIN * MINUTE) {
    return no(
      fail("invalid_input", "too_soon", {
        kind: "limit",
        name: "min_notice_minutes",
        limit: cfg.BOOKING_MIN_NOTICE_MIN,
      }),
    );
  }
  if (!withinHorizon(w.start, new Date(now), cfg.BOOKING_HORIZON_DAYS)) {
    return no(
      fail("invalid_input", "too_far_ahead", { kind: "limit", name: "horizon_days", limit: cfg.BOOKING_HORIZON_DAYS }),
    );
  }
  if (minutes < cfg.BOOKING_MIN_DURATION_MIN || minutes > cfg.BOOKING_MAX_DURATION_H * 60) {
    return no(
      fail("invalid_input", "bad_duration", {
        kind: "range",
        name: "duration_minutes",
        min: cfg.BOOKING_MIN_DURATION_MIN,
        max: cfg.BOOKING_MAX_DURATION_H * 60,
      }),
    );
  }
  // Slot hoarding: open requests are capped per customer (429: wait for answers) and per provider-day (409: the
  // provider's day is full of requests already), both counted by the claim-and-read statement. A match's booking is
  // accepted at once (it waits on nobody) and its request had its own cap, so neither applies to it.
  const match = input.match;
  if (!match && (p.customer_pending ?? 0) >= cfg.BOOKING_MAX_PENDING_PER_CUSTOMER) {
    return no(
      fail("rate_limited", "too_many_pending", {
        kind: "limit",
        name: "pending_per_customer",
        limit: cfg.BOOKING_MAX_PENDING_PER_CUSTOMER,
      }),
    );
  }
  if (!match && (p.provider_day_pending ?? 0) >= cfg.BOOKING_MAX_PENDING_PER_PROVIDER_DAY) {
    return no(
      fail("conflict", "provider_day_full", {
        kind: "limit",
        name: "pending_per_provider_day",
        limit: cfg.BOOKING_MAX_PENDING_PER_PROVIDER_DAY,
      }),
    );
  }
  if (!p.in_plan || p.time_off) return no(fail("conflict", "outside_availability"));
  if (slotTaken()) return no(fail("conflict", "slot_taken"));

  const price = quote(p.service.price_poisha, p.service.unit, w.start, w.end);
  const deadline = new Date(Math.min(now + cfg.BOOKING_ACCEPT_TIMEOUT_MIN * MINUTE, w.start.getTime()));
  // What the notifications worker needs to word the message without a database read.
  const meta = {
    provider_user_id: p.user_id,
    price_poisha: price,
    start_date: w.start.toISOString(),
    service_type: body.service_type,
    // A job request's winner: the provider accepted the offer, so the booking starts ACCEPTED.
    ...(match
      ? { source: "match" as const, request_id: match.requestId, offer_id: match.offerId, actor: "provider" as const }
      : {}),
  };
  const status = match ? "ACCEPTED" : "PENDING";
  const event = bookingEvent(
    { id: 0, status, customer_id: actor.userId, provider_id: body.provider_id },
    match ? p.user_id : actor.userId,
    { ...meta, from_status: null },
  );
  const insert: InsertParams = {
    customer_id: actor.userId,
    provider_id: body.provider_id,
    service_type: body.service_type,
    start_date: w.start.toISOString(),
    end_date: w.end.toISOString(),
    price_poisha: price,
    unit_price_poisha: p.service.price_poisha,
    unit: p.service.unit,
    payment_method: body.payment_method,
    payment_method_id: body.payment_method_id ?? null,
    address: body.address ?? null,
    lat: body.location?.lat ?? null,
    lng: body.location?.lng ?? null,
    notes: body.notes ?? null,
    return_url: body.return_url ?? null,
    status,
    accept_deadline: match ? null : deadline.toISOString(),
    confirm_deadline: match
      ? confirmDeadline(new Date(now), w.start, cfg.BOOKING_CONFIRM_WITHIN_H).toISOString()
      : null,
  };
  const commit: Commit = { actor, idem: input.idempotency, event, action: "created", from: null, meta, status: 201 };
  return { ok: true, plan: { insert, commit, at: placeOf(p.lat, p.lng) } };
}

export const placeOf = (lat: number | null, lng: number | null) => (lat === null || lng === null ? null : { lat, lng });
