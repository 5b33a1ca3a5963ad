// The gateway's matching SQL: creating a job request under the caller's Idempotency-Key, who may see a request or an
// offer, a provider's offers, and the cron's look for searches whose object fell behind. Offers and every later
// change of a request are written only by the request's object.
import { z } from "zod";
import { JobRequestView, OfferView } from "../../../durable-objects/job-request/client";
import { ActiveStatus, OfferStatus, PaymentMethod } from "../../../lib/enums";
import { bigintNumber, NoRow, statement } from "../../../platform/pg/sql";

const int = z.number().int();
const maybeText = z.string().nullable();
/** Request creates are keyed under this method and path, so a booking's key can never replay a request. */
export const CREATE_PATH = "/booking/requests";

/**
 * A create in one statement: the claim of the key and the request commit together or not at all, so a key is never
 * left claimed without its request (no "in progress" state to wait out). The key is claimed only when the service
 * exists and the caller has fewer than :max_open requests searching; `view` is the new request, null when nothing
 * was made (the flags then say why, or the key was taken: REQUEST_BY_KEY has its request).
 */
export const CREATE_REQUEST = statement({
  params: {
    user_id: int,
    key: z.string(),
    request_hash: z.string(),
    max_open: int,
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
  row: z.object({ service_known: z.boolean(), searching: int, view: JobRequestView.nullable() }),
  text: `
  WITH ctx AS (
    SELECT EXISTS (SELECT 1 FROM services WHERE service_type = :service_type) AS service_known,
           (SELECT count(*)::int FROM job_requests WHERE customer_id = :user_id AND status = 'SEARCHING') AS searching
  ), claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, response_code, response_body)
    SELECT :user_id, :key, 'POST', '${CREATE_PATH}', :request_hash, 201, '{"status": 201}'::jsonb
      FROM ctx WHERE ctx.service_known AND ctx.searching < :max_open
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  ), r AS (
    INSERT INTO job_requests (customer_id, service_type, location, address, notes, offer_notes, start_date, end_date,
                              payment_method, payment_method_id, max_price_poisha, search_until, idempotency_key)
    SELECT :user_id, :service_type, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, :address, :notes,
           :offer_notes, :start_date, :end_date, :payment_method, :payment_method_id, :max_price_poisha,
           now() + make_interval(secs => :search_s), :key
     WHERE EXISTS (SELECT 1 FROM claim)
    RETURNING *
  )
  SELECT ctx.service_known, ctx.searching, (SELECT job_request_view(ROW(r.*)::job_requests) FROM r) AS view FROM ctx`,
});

/** A key already taken: what it was used for and, for a request create, the request it made. */
export const REQUEST_BY_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: z.object({
    method: z.string(),
    path: z.string(),
    request_hash: z.string(),
    live: z.boolean(),
    answer: JobRequestView.nullable(),
  }),
  text: `
  SELECT k.method, k.path, k.request_hash, k.created_at > now() - interval '24 hours' AS live,
         (SELECT job_request_view(r) FROM job_requests r
           WHERE r.customer_id = k.user_id AND r.idempotency_key = k.key ORDER BY r.id DESC LIMIT 1) AS answer
    FROM idempotency_keys k WHERE k.user_id = :user_id AND k.key = :key`,
});

/** Keys live 24 hours; after that the same key is a new request. */
export const DROP_EXPIRED_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: NoRow,
  text: "DELETE FROM idempotency_keys WHERE user_id = :user_id AND key = :key AND created_at < now() - interval '24 hours'",
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
