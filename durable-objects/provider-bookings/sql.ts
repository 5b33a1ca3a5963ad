// SQL of the booking engine, kept apart from the control flow that uses it.
import type { BookingView } from "./types";

/** Columns of a booking as the API shows it (location as lat/lng, times as ISO strings). */
export const BOOKING_COLUMNS = `
  b.id, b.status, b.customer_id, b.provider_id, b.service_type, b.start_date, b.end_date, b.price_poisha,
  b.unit_price_poisha, b.unit, b.payment_method, b.address,
  CASE WHEN b.location IS NULL THEN NULL
       ELSE json_build_object('lat', ST_Y(b.location::geometry), 'lng', ST_X(b.location::geometry)) END AS location,
  b.notes, b.accept_deadline, b.canceled_by, b.cancel_reason, b.fee_poisha, b.created_at, b.updated_at`;

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

export function toView(r: Row): BookingView {
  return {
    id: Number(r.id),
    status: r.status as BookingView["status"],
    customer_id: Number(r.customer_id),
    provider_id: Number(r.provider_id),
    service_type: String(r.service_type),
    start_date: iso(r.start_date) as string,
    end_date: iso(r.end_date) as string,
    price_poisha: Number(r.price_poisha),
    unit_price_poisha: Number(r.unit_price_poisha),
    unit: r.unit as BookingView["unit"],
    payment_method: r.payment_method as BookingView["payment_method"],
    address: (r.address as string | null) ?? null,
    location: (r.location as BookingView["location"]) ?? null,
    notes: (r.notes as string | null) ?? null,
    accept_deadline: iso(r.accept_deadline),
    canceled_by: (r.canceled_by as string | null) ?? null,
    cancel_reason: (r.cancel_reason as string | null) ?? null,
    fee_poisha: Number(r.fee_poisha ?? 0),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at) as string,
  };
}

/** Everything a create needs to know about the provider, in one round trip, for one window. */
export const PROVIDER_CONTEXT = `
  SELECT p.user_id, p.verification_status,
         ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         (SELECT json_build_object('price_poisha', s.price_poisha, 'unit', s.unit)
            FROM provider_services s WHERE s.provider_id = p.id AND s.service_type = $2) AS service,
         EXISTS (SELECT 1 FROM provider_schedule s
                  WHERE s.provider_id = p.id AND s.week_minutes @> int4range($3, $4)) AS in_plan,
         EXISTS (SELECT 1 FROM provider_time_off t
                  WHERE t.provider_id = p.id AND t.period && tstzrange($5, $6, '[)')) AS time_off
    FROM providers p WHERE p.id = $1`;

export const READ_KEY = `
  SELECT method, path, request_hash, response_code, response_body, created_at > now() - interval '24 hours' AS live
    FROM idempotency_keys WHERE user_id = $1 AND key = $2`;

/**
 * One statement that finishes a change: the idempotency key with its answer, the audit row and the outbox event.
 * `claimed` is false when another request already holds the key; the caller then rolls everything back.
 * Parameters: $1 user, $2 key, $3 method, $4 path, $5 hash, $6 code, $7 body (null $2 = no key);
 * $8 booking, $9 actor, $10 action, $11 from, $12 to, $13 audit meta, $14 event id, $15 partition, $16 payload
 * (null $8 = nothing to record).
 */
export const FINISH_CHANGE = `
  WITH claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, response_code, response_body)
    SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $2::text IS NOT NULL
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  ), audit AS (
    INSERT INTO audit_log (booking_id, actor_id, action, from_status, to_status, meta)
    SELECT $8, $9, $10, $11, $12, $13 WHERE $8::bigint IS NOT NULL
  ), event AS (
    INSERT INTO outbox (event_id, topic, partition_key, payload)
    SELECT $14, 'booking-events', $15, $16 WHERE $8::bigint IS NOT NULL
    RETURNING id
  )
  SELECT ($2::text IS NULL OR EXISTS (SELECT 1 FROM claim)) AS claimed, (SELECT id FROM event) AS outbox_id`;
