// SQL of the booking engine, kept apart from the control flow that uses it. Each change is two round trips:
// claim-and-read, then one atomic statement that changes the booking and records everything about the change.
// Parameters are named; the composed statements (claimAnd, finishChange, movePayment) give each part its own names,
// so composing is concatenating text, and a name two parts share means the same value in both.
import { z } from "zod";
import { ActiveStatus } from "../../lib/enums";
import { bigintNumber, NoRow, type ParamsOf, statement } from "../../platform/pg/sql";
import { BookingView, BookingWithPayment, Outcome, PaymentRow } from "./views";

const text = z.string();
const float = z.union([z.number(), z.string()]).transform(Number);
const maybeText = z.string().nullable();
const int = z.number().int();

/** The caller's idempotency key (key null = none: the claim always succeeds). */
const KEY = { user_id: int, key: maybeText, method: maybeText, path: maybeText, request_hash: maybeText };

/**
 * Round trip 1. Claims the caller's idempotency key (when there is one) and, in the same statement, reads what
 * the change needs. `claimed` is false when the key is already taken.
 */
function claimAnd(read: string): string {
  return `
  WITH claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
    SELECT :user_id, :key, :method, :path, :request_hash WHERE :key::text IS NOT NULL
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  )
  SELECT (:key::text IS NULL OR EXISTS (SELECT 1 FROM claim)) AS claimed, r.*
    FROM (SELECT 1) one LEFT JOIN (${read}) r ON true`;
}

/** What a create needs to know about the provider, for one window (all null when there is no such provider). */
export const PROVIDER_CONTEXT = statement({
  params: {
    ...KEY,
    provider_id: int,
    service_type: text,
    week_from: int,
    week_to: int,
    start_date: text,
    end_date: text,
    day_from: text,
    day_to: text,
  },
  row: z.object({
    claimed: z.boolean(),
    user_id: bigintNumber.nullable(),
    verification_status: maybeText,
    lat: float.nullable(),
    lng: float.nullable(),
    service: z.object({ price_poisha: int, unit: BookingView.shape.unit }).nullable(),
    in_plan: z.boolean().nullable(),
    time_off: z.boolean().nullable(),
    customer_pending: int.nullable(),
    provider_day_pending: int.nullable(),
  }),
  text: claimAnd(`
  SELECT p.user_id, p.verification_status,
         ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         (SELECT json_build_object('price_poisha', s.price_poisha, 'unit', s.unit)
            FROM provider_services s WHERE s.provider_id = p.id AND s.service_type = :service_type) AS service,
         EXISTS (SELECT 1 FROM provider_schedule s
                  WHERE s.provider_id = p.id AND s.week_minutes @> int4range(:week_from, :week_to)) AS in_plan,
         EXISTS (SELECT 1 FROM provider_time_off t
                  WHERE t.provider_id = p.id AND t.period && tstzrange(:start_date, :end_date, '[)')) AS time_off,
         -- The abuse caps (lib/policy.ts BOOKING_LIMITS), counted in this same round trip: requests still open.
         (SELECT count(*) FROM bookings c
           WHERE c.customer_id = :user_id AND c.status = 'PENDING' AND c.accept_deadline > now())::int
           AS customer_pending,
         (SELECT count(*) FROM bookings d
           WHERE d.provider_id = p.id AND d.status = 'PENDING' AND d.accept_deadline > now()
             AND d.start_date >= :day_from::timestamptz AND d.start_date < :day_to::timestamptz)::int
           AS provider_day_pending
    FROM providers p WHERE p.id = :provider_id`),
});
export type ProviderContext = z.infer<typeof PROVIDER_CONTEXT.row>;

/** What a transition needs: the booking as the API shows it, its payment, and its provider's user and place. */
export const BOOKING_CONTEXT = statement({
  params: { ...KEY, booking_id: int, provider_id: int },
  row: z.object({
    claimed: z.boolean(),
    view: BookingView.nullable(),
    payment_method_id: maybeText,
    return_url: maybeText,
    provider_user_id: bigintNumber.nullable(),
    payment: PaymentRow.nullable(),
    provider_lat: float.nullable(),
    provider_lng: float.nullable(),
  }),
  text: claimAnd(`
  SELECT booking_view(b) AS view, b.payment_method_id, b.return_url, p.user_id AS provider_user_id,
         (SELECT to_jsonb(y) FROM payments y WHERE y.booking_id = b.id) AS payment,
         ST_Y(p.location::geometry) AS provider_lat, ST_X(p.location::geometry) AS provider_lng
    FROM bookings b JOIN providers p ON p.id = b.provider_id
   WHERE b.id = :booking_id AND b.provider_id = :provider_id`),
});
export type BookingContext = z.infer<typeof BOOKING_CONTEXT.row>;

export const READ_KEY = statement({
  params: { user_id: int, key: text },
  row: z.object({
    method: text,
    path: text,
    request_hash: text,
    response_body: Outcome.nullable(),
    live: z.boolean(),
    stale: z.boolean(),
  }),
  text: `
  SELECT method, path, request_hash, response_code, response_body,
         created_at > now() - interval '24 hours' AS live,
         response_code IS NULL AND created_at < now() - interval '60 seconds' AS stale
    FROM idempotency_keys WHERE user_id = :user_id AND key = :key`,
});

/** Keys live 24 hours; after that the same key is a new request. */
export const DELETE_KEY = statement({
  params: { user_id: int, key: text },
  row: NoRow,
  text: "DELETE FROM idempotency_keys WHERE user_id = :user_id AND key = :key",
});

/**
 * Frees a claim that has no answer yet (the step stopped or failed before any effect). Safe after any failure: a
 * change that committed stored its answer in the same statement, so its key stays and replays; and only the same
 * request's claim is freed (the same key sent to another provider's object is not ours).
 */
export const RELEASE_KEY = statement({
  params: { user_id: int, key: text, request_hash: text },
  row: NoRow,
  text: `
  DELETE FROM idempotency_keys
   WHERE user_id = :user_id AND key = :key AND request_hash = :request_hash AND response_code IS NULL`,
});

/** Takes over a claim whose answer never came (its change never committed: see migration 0006). */
export const TAKE_OVER_KEY = statement({
  params: KEY,
  row: NoRow,
  text: `
  UPDATE idempotency_keys SET created_at = now(), method = :method, path = :path, request_hash = :request_hash
   WHERE user_id = :user_id AND key = :key AND response_code IS NULL AND created_at < now() - interval '60 seconds'
  RETURNING 1`,
});

export const ANSWER_KEY = statement({
  params: { user_id: int, key: text, response_code: int, response_body: text },
  row: NoRow,
  text: `
  UPDATE idempotency_keys SET response_code = :response_code, response_body = :response_body
   WHERE user_id = :user_id AND key = :key AND :key::text IS NOT NULL`,
});

/** What every change records besides the change itself: who, what, from where, the event and the answer's status. */
const FINISH = {
  user_id: int,
  key: maybeText,
  actor_id: int.nullable(),
  action: text,
  from_status: maybeText,
  audit_meta: text,
  event_id: text,
  partition_key: text,
  event: text,
  answer_status: int,
};

export type FinishParams = ParamsOf<typeof FINISH>;

/**
 * The tail every change shares, after a CTE named `b` that inserted or updated the booking (RETURNING b.*):
 * the audit row, the outbox event (id and body filled from the row), and the answer under the key.
 */
function finishChange(change: string, opts: { more?: string; payment?: string } = {}): string {
  // With a payment summary, the view carries it: the same body now and in every replay of the key.
  const view = opts.payment ? `v.view || jsonb_build_object('payment', ${opts.payment})` : "v.view";
  return `
  WITH b AS (${change}),
  v AS (SELECT b.id, b.status, booking_view(ROW(b.*)::bookings) AS view FROM b),${opts.more ? `${opts.more},` : ""}
  w AS (SELECT v.id, v.status, ${view} AS view FROM v),
  audit AS (
    INSERT INTO audit_log (booking_id, actor_id, action, from_status, to_status, meta)
    SELECT v.id, :actor_id, :action, :from_status, v.status, :audit_meta FROM v
  ),
  event AS (
    INSERT INTO outbox (event_id, topic, partition_key, payload)
    SELECT :event_id, 'booking-events', :partition_key,
           jsonb_set(jsonb_set(:event::jsonb, '{id}', to_jsonb(v.id)), '{body}',
                     to_jsonb(replace(:event::jsonb ->> 'body', '#?', '#' || v.id)))
      FROM v
    RETURNING id, payload
  ),
  answer AS (
    UPDATE idempotency_keys k SET response_code = :answer_status::int,
           response_body = jsonb_build_object('ok', true, 'status', :answer_status::int, 'body', w.view)
      FROM w WHERE k.user_id = :user_id AND k.key = :key AND :key::text IS NOT NULL
  )
  SELECT w.view, e.id AS outbox_id, e.payload FROM w, event e`;
}

/** A committed change: the booking as it now is, and its outbox event to publish. */
const Finished = z.object({ view: BookingWithPayment, outbox_id: bigintNumber, payload: z.unknown() });
export type Finished = z.infer<typeof Finished>;

/** The payment summary a transition answers with, as the ledger has it (`v` is the changed booking). */
const PAYMENT_SUMMARY_COLUMNS = `jsonb_build_object('status', y.status, 'gateway', y.gateway,
    'amount_poisha', y.amount_poisha, 'captured_poisha', y.captured_poisha, 'refunded_poisha', y.refunded_poisha)`;
const PAYMENT_SUMMARY = (from: string) => `${PAYMENT_SUMMARY_COLUMNS} FROM ${from}`;

/** A transition whose payment did not move in this statement: the summary is the row as it stands. */
const LEDGER_PAYMENT = `(SELECT ${PAYMENT_SUMMARY("payments y WHERE y.booking_id = (SELECT id FROM v)")})`;
/** A transition that moves its payment in this statement (movePayment's `pay`): the summary is the new row. */
const MOVED_PAYMENT = `COALESCE((SELECT summary FROM pay), ${LEDGER_PAYMENT})`;

const INSERT = {
  customer_id: int,
  provider_id: int,
  service_type: text,
  start_date: text,
  end_date: text,
  price_poisha: int,
  unit_price_poisha: int,
  unit: text,
  payment_method: text,
  payment_method_id: maybeText,
  address: maybeText,
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  notes: maybeText,
  return_url: maybeText,
  /** PENDING, or ACCEPTED for a job request's winner (which then has a confirm deadline and no accept deadline). */
  status: z.enum(["PENDING", "ACCEPTED"]),
  accept_deadline: maybeText,
  confirm_deadline: maybeText,
};
export type InsertParams = ParamsOf<typeof INSERT>;
const INSERT_BOOKING = `
  INSERT INTO bookings AS b (customer_id, provider_id, service_type, start_date, end_date, status,
    price_poisha, unit_price_poisha, unit, payment_method, payment_method_id, address, location, notes, return_url,
    accept_deadline, confirm_deadline)
  VALUES (:customer_id, :provider_id, :service_type, :start_date, :end_date, :status, :price_poisha,
    :unit_price_poisha, :unit, :payment_method, :payment_method_id, :address,
    CASE WHEN :lat::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326)::geography END,
    :notes, :return_url, :accept_deadline, :confirm_deadline)
  ON CONFLICT DO NOTHING
  RETURNING b.*`;

/** The parameters of UPDATE_STATUS (besides :from_status, the status the audit row records it moved from). */
const UPDATE = {
  booking_id: int,
  to_status: text,
  canceled_by: maybeText,
  cancel_reason: maybeText,
  fee_poisha: int.nullable(),
  confirm_deadline: maybeText,
};
export type UpdateParams = ParamsOf<typeof UPDATE>;
/** Moves a booking on only from the status it was read in: anything else changed it meanwhile. */
const UPDATE_STATUS = `
  UPDATE bookings AS b SET status = :to_status,
         canceled_by = COALESCE(:canceled_by, b.canceled_by),
         cancel_reason = COALESCE(:cancel_reason, b.cancel_reason),
         fee_poisha = COALESCE(:fee_poisha, b.fee_poisha),
         confirm_deadline = COALESCE(:confirm_deadline::timestamptz, b.confirm_deadline)
   WHERE b.id = :booking_id AND b.status = :from_status
  RETURNING b.*`;

/** A payment's next state, the states it may move from, and its history entry: the parameters of movePayment. */
export const PAYMENT_MOVE = {
  booking_id: int,
  pay_gateway: text,
  pay_status: text,
  pay_amount: int,
  pay_captured: int,
  pay_refunded: int,
  pay_ref: maybeText,
  pay_txn: maybeText,
  pay_action_url: maybeText,
  pay_return_url: maybeText,
  pay_attempts: int,
  pay_authorized_at: maybeText,
  pay_last_error: maybeText,
  pay_from: z.array(text),
  pay_kind: text,
  pay_event_amount: int,
  pay_meta: text,
};
export type PaymentMove = ParamsOf<typeof PAYMENT_MOVE>;

/**
 * Two CTEs, `pay` and `pay_history`, that write a payment's next state (only forward: the update applies only from
 * the states in :pay_from) and its history row. The whole row is written: the booking's object computed it from
 * the row it read.
 */
const MOVE = `
  pay AS (
    INSERT INTO payments AS y (booking_id, gateway, status, amount_poisha, captured_poisha, refunded_poisha,
                               gateway_ref, gateway_txn, action_url, return_url, attempts, authorized_at,
                               last_error)
    VALUES (:booking_id, :pay_gateway, :pay_status, :pay_amount, :pay_captured, :pay_refunded,
            :pay_ref, :pay_txn, :pay_action_url, :pay_return_url, :pay_attempts, :pay_authorized_at, :pay_last_error)
    ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, captured_poisha = EXCLUDED.captured_poisha,
      refunded_poisha = EXCLUDED.refunded_poisha, gateway_ref = EXCLUDED.gateway_ref,
      gateway_txn = EXCLUDED.gateway_txn, action_url = EXCLUDED.action_url, return_url = EXCLUDED.return_url,
      attempts = EXCLUDED.attempts,
      authorized_at = EXCLUDED.authorized_at, last_error = EXCLUDED.last_error
      WHERE y.status = ANY(:pay_from::text[])
    RETURNING id, ${PAYMENT_SUMMARY_COLUMNS} AS summary
  ),
  pay_history AS (
    INSERT INTO payment_events (payment_id, kind, amount_poisha, gateway_ref, meta)
    SELECT id, :pay_kind, :pay_event_amount, :pay_ref, :pay_meta FROM pay
  )`;

export const FINISH_CREATE = statement({
  params: { ...FINISH, ...INSERT },
  row: Finished,
  text: finishChange(INSERT_BOOKING),
});

export const FINISH_TRANSITION = statement({
  params: { ...FINISH, ...UPDATE },
  row: Finished,
  text: finishChange(UPDATE_STATUS, { payment: LEDGER_PAYMENT }),
});

/** A transition that also records its payment's final move. */
export const FINISH_TRANSITION_PAID = statement({
  params: { ...FINISH, ...UPDATE, ...PAYMENT_MOVE },
  row: Finished,
  text: finishChange(UPDATE_STATUS, { more: MOVE, payment: MOVED_PAYMENT }),
});

/** A payment move on its own (the ledger changes while the booking does not). */
export const MOVE_PAYMENT = statement({
  params: PAYMENT_MOVE,
  row: z.object({ id: bigintNumber }),
  text: `WITH ${MOVE}
  SELECT id FROM pay`,
});

/**
 * A Stripe event, recorded once and, only when it is new, applied as a forward move of this booking's payment
 * (known by its PaymentIntent) to :to_status from one of :from_states, with its history row. Answers whether the
 * event was new.
 */
export const APPLY_STRIPE_EVENT = statement({
  params: {
    event_id: text,
    event_type: text,
    booking_id: int,
    ref: text,
    to_status: maybeText,
    from_states: z.array(text),
    amount_received: int.nullable(),
    kind: text,
    meta: text,
  },
  row: z.object({ fresh: z.boolean() }),
  text: `
  WITH seen AS (
    INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('stripe', :event_id, :event_type)
    ON CONFLICT DO NOTHING RETURNING 1
  ),
  up AS (
    UPDATE payments SET status = :to_status,
           captured_poisha = CASE WHEN :to_status = 'captured'
                                  THEN LEAST(COALESCE(:amount_received::bigint, amount_poisha), amount_poisha)
                                  ELSE captured_poisha END
     WHERE EXISTS (SELECT 1 FROM seen) AND :to_status::text IS NOT NULL
       AND booking_id = :booking_id AND gateway = 'stripe' AND gateway_ref = :ref AND status = ANY(:from_states::text[])
    RETURNING id
  ),
  history AS (
    INSERT INTO payment_events (payment_id, kind, gateway_ref, meta) SELECT id, :kind, :ref, :meta::jsonb FROM up
  )
  SELECT EXISTS (SELECT 1 FROM seen) AS fresh`,
});

// ---- the outbox and the cache ---------------------------------------------------------------------------------

export const MARK_PUBLISHED = statement({
  params: { ids: z.array(int) },
  row: NoRow,
  text: "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(:ids::bigint[])",
});

export const MARK_SEND_FAILED = statement({
  params: { ids: z.array(int), error: text },
  row: NoRow,
  text: "UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = ANY(:ids::bigint[])",
});

export const UNPUBLISHED = statement({
  params: { partition_key: text },
  row: z.object({ id: bigintNumber, payload: z.unknown() }),
  text: "SELECT id, payload FROM outbox WHERE partition_key = :partition_key AND published_at IS NULL ORDER BY id LIMIT 100",
});

/**
 * The provider's active bookings as one row of JSON text, loaded into SQLite by one statement: a provider with
 * hundreds of bookings ahead costs no per-row work in JavaScript. Bookings already over cannot collide with a new
 * one, so they stay out (pending ones stay for their expiry alarm).
 */
export const ACTIVE_BOOKINGS = statement({
  params: { provider_id: int, active: z.array(ActiveStatus) },
  row: z.object({ active: text }),
  text: `
  SELECT COALESCE(json_agg(json_build_array(id, customer_id,
           (extract(epoch FROM start_date) * 1000)::bigint, (extract(epoch FROM end_date) * 1000)::bigint, status,
           CASE status WHEN 'PENDING' THEN (extract(epoch FROM accept_deadline) * 1000)::bigint
                       WHEN 'ACCEPTED' THEN (extract(epoch FROM confirm_deadline) * 1000)::bigint END)), '[]')::text
         AS active
    FROM bookings
   WHERE provider_id = :provider_id AND status = ANY(:active::text[])
     AND (end_date > now() OR status IN ('PENDING', 'ACCEPTED'))`,
});

/** Which provider a booking belongs to (it never changes). */
export const BOOKING_OWNER = statement({
  params: { booking_id: int },
  row: z.object({ provider_id: bigintNumber }),
  text: "SELECT provider_id FROM bookings WHERE id = :booking_id",
});
