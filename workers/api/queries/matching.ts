// The gateway's matching SQL: creating a job request under the caller's Idempotency-Key, who may see a request or an
// offer, a provider's offers, and the cron's look for searches whose object fell behind. Offers and every later
// change of a request are written only by the request's object.
import { z } from "zod";
import { JobRequestView, OfferView } from "../../../durable-objects/job-request/client";
import { ActiveStatus, OfferStatus, PaymentMethod } from "../../../lib/enums";
import { bigintNumber, NoRow, statement } from "../../../platform/pg/sql";

const int = z.number().int();
const maybeText = z.string().nullable();
const KEY = { user_id: int, key: z.string(), request_hash: z.string() };
/** Request creates are keyed under this method and path, so a booking's key can never replay a request. */
export const CREATE_PATH = "/booking/requests";

/**
 * Round trip 1 of a create: claims the key (`claimed` false when it is taken) and reads what the decision needs:
 * whether the service exists, and how many of the caller's requests are searching now.
 */
export const CLAIM_REQUEST_KEY = statement({
  params: { ...KEY, service_type: z.string() },
  row: z.object({ claimed: z.boolean(), service_known: z.boolean(), searching: int }),
  text: `
  WITH claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
    VALUES (:user_id, :key, 'POST', '${CREATE_PATH}', :request_hash)
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed,
         EXISTS (SELECT 1 FROM services WHERE service_type = :service_type) AS service_known,
         (SELECT count(*)::int FROM job_requests WHERE customer_id = :user_id AND status = 'SEARCHING') AS searching`,
});

/** What a taken key holds: its request's fingerprint and, once answered, the answer (201 and the request). */
export const READ_REQUEST_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: z.object({
    method: z.string(),
    path: z.string(),
    request_hash: z.string(),
    answer: JobRequestView.nullable(),
    live: z.boolean(),
    stale: z.boolean(),
  }),
  text: `
  SELECT method, path, request_hash, CASE WHEN response_code = 201 THEN response_body -> 'body' END AS answer,
         created_at > now() - interval '24 hours' AS live,
         response_code IS NULL AND created_at < now() - interval '60 seconds' AS stale
    FROM idempotency_keys WHERE user_id = :user_id AND key = :key`,
});

/** Frees this request's claim when nothing was created (a refusal, an outage): the same request may run again. */
export const RELEASE_REQUEST_KEY = statement({
  params: KEY,
  row: NoRow,
  text: `
  DELETE FROM idempotency_keys
   WHERE user_id = :user_id AND key = :key AND request_hash = :request_hash AND response_code IS NULL`,
});

/** A key older than 24 hours is a new request; a claim left unanswered for 60 s died before its insert. */
export const DROP_DEAD_REQUEST_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: NoRow,
  text: `
  DELETE FROM idempotency_keys
   WHERE user_id = :user_id AND key = :key
     AND (created_at < now() - interval '24 hours' OR (response_code IS NULL AND created_at < now() - interval '60 seconds'))`,
});

/** Round trip 2: the request, SEARCHING, and its answer stored under the key in the same statement. */
export const INSERT_REQUEST = statement({
  params: {
    user_id: int,
    key: z.string(),
    service_type: z.string(),
    lat: z.number(),
    lng: z.number(),
    address: maybeText,
    notes: maybeText,
    offer_notes: maybeText,
    start_date: z.string(),
    end_date: z.string(),
    payment_method: PaymentMethod,
    payment_method_id: maybeText,
    max_price_poisha: int.nullable(),
    search_s: z.number(),
  },
  row: z.object({ view: JobRequestView }),
  text: `
  WITH r AS (
    INSERT INTO job_requests (customer_id, service_type, location, address, notes, offer_notes, start_date, end_date,
                              payment_method, payment_method_id, max_price_poisha, search_until)
    VALUES (:user_id, :service_type, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, :address, :notes,
            :offer_notes, :start_date, :end_date, :payment_method, :payment_method_id, :max_price_poisha,
            now() + make_interval(secs => :search_s))
    RETURNING *
  ), v AS (SELECT job_request_view(ROW(r.*)::job_requests) AS view FROM r),
  answer AS (
    UPDATE idempotency_keys k SET response_code = 201, response_body = jsonb_build_object('status', 201, 'body', v.view)
      FROM v WHERE k.user_id = :user_id AND k.key = :key
  )
  SELECT view FROM v`,
});

/** A request with its customer (who alone, with admins, may see it). */
export const REQUEST_FOR_CALLER = statement({
  params: { request_id: int },
  row: z.object({ view: JobRequestView, customer_id: bigintNumber }),
  text: "SELECT job_request_view(r) AS view, r.customer_id FROM job_requests r WHERE r.id = :request_id",
});

/** Whose an offer is, and its request (the object to ask). */
export const OFFER_FOR_CALLER = statement({
  params: { offer_id: int },
  row: z.object({ request_id: bigintNumber, provider_user_id: bigintNumber }),
  text: `
  SELECT o.request_id, p.user_id AS provider_user_id
    FROM job_offers o JOIN providers p ON p.id = o.provider_id WHERE o.id = :offer_id`,
});

/**
 * A page of the caller's offers, newest first. `open` lists only what can still be won: its time is running and
 * no booking of theirs has taken that time since (accepting one of those would be refused).
 */
export const MY_OFFERS = statement({
  params: { user_id: int, status: OfferStatus.nullable(), before_id: int.nullable(), limit: int },
  row: z.object({ view: OfferView }),
  text: `
  SELECT job_offer_view(o, r) AS view
    FROM job_offers o JOIN job_requests r ON r.id = o.request_id
   WHERE o.provider_id = (SELECT id FROM providers WHERE user_id = :user_id)
     AND (:status::text IS NULL OR o.status = :status)
     AND (:status::text IS DISTINCT FROM 'open' OR (o.expires_at > now() AND NOT EXISTS (
           SELECT 1 FROM bookings b
            WHERE b.provider_id = o.provider_id AND b.booking_window && r.request_window
              AND b.status IN (${ActiveStatus.options.map((s) => `'${s}'`).join(", ")}))))
     AND (:before_id::bigint IS NULL OR o.id < :before_id)
   ORDER BY o.id DESC LIMIT :limit`,
});

/** Searches whose object has not moved for :stale_s seconds past the end of their wave (or since creation). */
export const STALLED_REQUESTS = statement({
  params: { stale_s: int },
  row: z.object({ id: bigintNumber }),
  text: `
  SELECT id FROM job_requests
   WHERE status = 'SEARCHING' AND coalesce(wave_ends_at, created_at) < now() - make_interval(secs => :stale_s)
   ORDER BY id LIMIT 200`,
});
