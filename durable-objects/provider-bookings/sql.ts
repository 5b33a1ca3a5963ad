// SQL of the booking engine, kept apart from the control flow that uses it. Each change is two round trips:
// claim-and-read, then one atomic statement that changes the booking and records everything about the change.
import type { BookingView } from "./types";

export function toView(v: unknown): BookingView {
  return v as BookingView;
}

/**
 * Round trip 1. Claims the caller's idempotency key (when there is one) and, in the same statement, reads what
 * the change needs. `claimed` is false when the key is already taken. $1 user, $2 key (null = none), $3 method,
 * $4 path, $5 request hash; the read's own parameters start at $6.
 */
export function claimAnd(read: string): string {
  return `
  WITH claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
    SELECT $1, $2, $3, $4, $5 WHERE $2::text IS NOT NULL
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  )
  SELECT ($2::text IS NULL OR EXISTS (SELECT 1 FROM claim)) AS claimed, r.*
    FROM (SELECT 1) one LEFT JOIN (${read}) r ON true`;
}

/** What a create needs to know about the provider, for one window. */
export const PROVIDER_CONTEXT = claimAnd(`
  SELECT p.user_id, p.verification_status,
         ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         (SELECT json_build_object('price_poisha', s.price_poisha, 'unit', s.unit)
            FROM provider_services s WHERE s.provider_id = p.id AND s.service_type = $7) AS service,
         EXISTS (SELECT 1 FROM provider_schedule s
                  WHERE s.provider_id = p.id AND s.week_minutes @> int4range($8, $9)) AS in_plan,
         EXISTS (SELECT 1 FROM provider_time_off t
                  WHERE t.provider_id = p.id AND t.period && tstzrange($10, $11, '[)')) AS time_off
    FROM providers p WHERE p.id = $6`);

/** What a transition needs: the booking as the API shows it, and its provider's user and place. */
export const BOOKING_CONTEXT = claimAnd(`
  SELECT booking_view(b) AS view, b.payment_method_id, p.user_id AS provider_user_id,
         (SELECT to_jsonb(y) FROM payments y WHERE y.booking_id = b.id) AS payment,
         ST_Y(p.location::geometry) AS provider_lat, ST_X(p.location::geometry) AS provider_lng
    FROM bookings b JOIN providers p ON p.id = b.provider_id
   WHERE b.id = $6 AND b.provider_id = $7`);

export const READ_KEY = `
  SELECT method, path, request_hash, response_code, response_body,
         created_at > now() - interval '24 hours' AS live,
         response_code IS NULL AND created_at < now() - interval '60 seconds' AS stale
    FROM idempotency_keys WHERE user_id = $1 AND key = $2`;

/** Takes over a claim whose answer never came (its change never committed: see migration 0006). */
export const TAKE_OVER_KEY = `
  UPDATE idempotency_keys SET created_at = now(), method = $3, path = $4, request_hash = $5
   WHERE user_id = $1 AND key = $2 AND response_code IS NULL AND created_at < now() - interval '60 seconds'
  RETURNING 1`;

export const ANSWER_KEY = `
  UPDATE idempotency_keys SET response_code = $3, response_body = $4
   WHERE user_id = $1 AND key = $2 AND $2::text IS NOT NULL`;

/**
 * The tail every change shares, after a CTE named `b` that inserted or updated the booking (RETURNING b.*):
 * the audit row, the outbox event (id and body filled from the row), and the answer under the key. Parameters:
 * $1 user, $2 key, then $3 actor id, $4 action, $5 from status, $6 audit meta, $7 event id, $8 partition,
 * $9 event template, $10 answer status. The change's own parameters follow from $11.
 */
export function finishChange(change: string, opts: { more?: string; payment?: string } = {}): string {
  // With a payment summary, the view carries it: the same body now and in every replay of the key.
  const view = opts.payment ? `v.view || jsonb_build_object('payment', ${opts.payment})` : "v.view";
  return `
  WITH b AS (${change}),
  v AS (SELECT b.id, b.status, booking_view(ROW(b.*)::bookings) AS view FROM b),${opts.more ? `${opts.more},` : ""}
  w AS (SELECT v.id, v.status, ${view} AS view FROM v),
  audit AS (
    INSERT INTO audit_log (booking_id, actor_id, action, from_status, to_status, meta)
    SELECT v.id, $3, $4, $5, v.status, $6 FROM v
  ),
  event AS (
    INSERT INTO outbox (event_id, topic, partition_key, payload)
    SELECT $7, 'booking-events', $8,
           jsonb_set(jsonb_set($9::jsonb, '{id}', to_jsonb(v.id)), '{body}',
                     to_jsonb(replace($9::jsonb ->> 'body', '#?', '#' || v.id)))
      FROM v
    RETURNING id, payload
  ),
  answer AS (
    UPDATE idempotency_keys k SET response_code = $10::int,
           response_body = jsonb_build_object('ok', true, 'status', $10::int, 'body', w.view)
      FROM w WHERE k.user_id = $1 AND k.key = $2 AND $2::text IS NOT NULL
  )
  SELECT w.view, e.id AS outbox_id, e.payload FROM w, event e`;
}

/** The payment summary a transition answers with, as the ledger has it (`v` is the changed booking). */
const PAYMENT_SUMMARY_COLUMNS = `jsonb_build_object('status', y.status, 'gateway', y.gateway,
    'amount_poisha', y.amount_poisha, 'captured_poisha', y.captured_poisha, 'refunded_poisha', y.refunded_poisha)`;
const PAYMENT_SUMMARY = (from: string) => `${PAYMENT_SUMMARY_COLUMNS} FROM ${from}`;

/** A transition whose payment did not move in this statement: the summary is the row as it stands. */
export const LEDGER_PAYMENT = `(SELECT ${PAYMENT_SUMMARY("payments y WHERE y.booking_id = (SELECT id FROM v)")})`;
/** A transition that moves its payment in this statement (movePayment's `pay`): the summary is the new row. */
export const MOVED_PAYMENT = `COALESCE((SELECT summary FROM pay), ${LEDGER_PAYMENT})`;

export const INSERT_BOOKING = `
  INSERT INTO bookings AS b (customer_id, provider_id, service_type, start_date, end_date, status,
    price_poisha, unit_price_poisha, unit, payment_method, payment_method_id, address, location, notes, accept_deadline)
  VALUES ($11, $12, $13, $14, $15, 'PENDING', $16, $17, $18, $19, $20, $21,
    CASE WHEN $22::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($23::float8, $22::float8), 4326)::geography END,
    $24, $25)
  ON CONFLICT DO NOTHING
  RETURNING b.*`;

/** Moves a booking on only from the status it was read in: anything else changed it meanwhile. */
export const UPDATE_STATUS = `
  UPDATE bookings AS b SET status = $13,
         canceled_by = COALESCE($14, b.canceled_by),
         cancel_reason = COALESCE($15, b.cancel_reason),
         fee_poisha = COALESCE($16, b.fee_poisha)
   WHERE b.id = $11 AND b.status = $12
  RETURNING b.*`;

/** Reads return the same view the changes do. */
export const BOOKING_VIEW = "booking_view(b) AS view";

/**
 * Two CTEs, `pay` and `pay_history`, that write a payment's next state (only forward: the update applies only from
 * the states in parameter n+12) and its history row. The whole row is written: the booking's object computed it
 * from the row it read. Parameters from $n: booking, gateway, status, amount, captured, refunded, ref, txn,
 * action url, attempts, authorized at, last error, from states, history kind, history amount, history meta.
 */
export function movePayment(n: number): string {
  const $ = (k: number) => `$${n + k}`;
  return `
  pay AS (
    INSERT INTO payments AS y (booking_id, gateway, status, amount_poisha, captured_poisha, refunded_poisha,
                               gateway_ref, gateway_txn, action_url, attempts, authorized_at, last_error)
    VALUES (${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map($).join(", ")})
    ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, captured_poisha = EXCLUDED.captured_poisha,
      refunded_poisha = EXCLUDED.refunded_poisha, gateway_ref = EXCLUDED.gateway_ref,
      gateway_txn = EXCLUDED.gateway_txn, action_url = EXCLUDED.action_url, attempts = EXCLUDED.attempts,
      authorized_at = EXCLUDED.authorized_at, last_error = EXCLUDED.last_error
      WHERE y.status = ANY(${$(12)}::text[])
    RETURNING id, ${PAYMENT_SUMMARY_COLUMNS} AS summary
  ),
  pay_history AS (
    INSERT INTO payment_events (payment_id, kind, amount_poisha, gateway_ref, meta)
    SELECT id, ${$(13)}, ${$(14)}, ${$(6)}, ${$(15)} FROM pay
  )`;
}

/** A payment move on its own (the ledger changes while the booking does not). */
export const MOVE_PAYMENT = `WITH ${movePayment(1)}
  SELECT id FROM pay`;
