// The job request object's statements. The object is the one writer of its request and offers, so each step is one
// atomic statement guarded by the state it read (status SEARCHING, the wave it saw); job_offers_one_winner and
// job_requests.booking_id UNIQUE are the database's own last word on "exactly one winner".
import { z } from "zod";
import { ActiveStatus, JobRequestStatus, OfferStatus, PaymentMethod, PriceUnit } from "../../lib/enums";
import { freeForWindow, WINDOW_RANGE } from "../../platform/pg/availability";
import { bigintNumber, statement, timestamp } from "../../platform/pg/sql";
import { JobRequestView, OfferView } from "./views";

const int = z.number().int();
const float = z.union([z.number(), z.string()]).transform(Number);
const text = z.string();

/** Everything a step needs to know about the request, with the clock comparisons made by Postgres. */
export const REQUEST_STATE = statement({
  params: { request_id: int },
  row: z.object({
    id: bigintNumber,
    customer_id: bigintNumber,
    service_type: text,
    lat: float,
    lng: float,
    address: text.nullable(),
    notes: text.nullable(),
    start_date: text,
    end_date: text,
    payment_method: PaymentMethod,
    payment_method_id: text.nullable(),
    max_price_poisha: bigintNumber.nullable(),
    status: JobRequestStatus,
    wave: int,
    wave_ends_at: timestamp.nullable(),
    search_until: timestamp,
    wave_due: z.boolean(),
    search_over: z.boolean(),
    open_offers: int,
    /** The customer's own provider profile, if they have one: never offered their own request. */
    own_provider_id: bigintNumber.nullable(),
  }),
  text: `
  SELECT r.id, r.customer_id, r.service_type, ST_Y(r.location::geometry) AS lat, ST_X(r.location::geometry) AS lng,
         r.address, r.notes, iso_utc(r.start_date) AS start_date, iso_utc(r.end_date) AS end_date,
         r.payment_method, r.payment_method_id, r.max_price_poisha, r.status, r.wave, r.wave_ends_at, r.search_until,
         coalesce(r.wave_ends_at <= now(), false) AS wave_due, r.search_until <= now() AS search_over,
         (SELECT count(*)::int FROM job_offers o WHERE o.request_id = r.id AND o.status = 'open') AS open_offers,
         (SELECT p.id FROM providers p WHERE p.user_id = r.customer_id) AS own_provider_id
    FROM job_requests r WHERE r.id = :request_id`,
});
export type RequestState = z.infer<typeof REQUEST_STATE.row>;

/**
 * The next wave's candidates: verified providers of the service, free for the whole window (the rule search uses,
 * platform/pg/availability.ts), not asked before for this request, nearest first up to :pool, with their recent
 * offer load. With :free_only, providers already holding an open offer for an overlapping time are passed over, so
 * a burst of requests for one time fans out instead of piling onto the nearest few. Distances are to search's
 * public point, so ranking knows no more of a home than search shows. The walk follows the GiST index in distance
 * order and stops at :pool rows: the sphere distance (`<->`, which keeps everything the exact spheroid test keeps)
 * is a filter, not an index condition, because ST_DWithin would tempt the planner into a bitmap scan of the whole
 * radius plus a sort (100 ms in Dhaka on the 100 000-provider seed, against 20 ms for the walk). Where nobody
 * offers the service nearby the walk reads that service's whole index (80 ms there): once per wave, and such a
 * search ends at once. The reach test (their own radius, at most :max_radius_m) is exact.
 */
export const CANDIDATES = statement({
  params: {
    lat: z.number(),
    lng: z.number(),
    service_type: text,
    request_id: int,
    own_provider_id: int,
    max_radius_m: z.number(),
    scan_radius_m: z.number(),
    max_unit_price: z.number(),
    load_window_s: int,
    pool: int,
    free_only: z.boolean(),
    week_from: int,
    week_to: int,
    start: text,
    end: text,
  },
  row: z.object({
    provider_id: bigintNumber,
    distance_m: float,
    reach_m: float,
    price_poisha: float,
    unit: PriceUnit,
    rating_avg: float,
    rating_count: int,
    trust: float,
    recent_offers: int,
    open_overlapping: int,
  }),
  text: `
  SELECT k.provider_id, k.distance_m, least(k.service_radius_m, :max_radius_m) AS reach_m, k.price_poisha, k.unit,
         k.rating_avg, k.rating_count, k.trust,
         (SELECT count(*)::int FROM job_offers o
           WHERE o.provider_id = k.provider_id AND o.created_at > now() - make_interval(secs => :load_window_s))
           AS recent_offers,
         (SELECT count(*)::int FROM job_offers o JOIN job_requests x ON x.id = o.request_id
           WHERE o.provider_id = k.provider_id AND o.status = 'open' AND x.request_window && ${WINDOW_RANGE})
           AS open_overlapping
    FROM (SELECT ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography AS pt) q,
         LATERAL (SELECT l.provider_id, l.price_poisha::float8 AS price_poisha, l.unit,
                         l.rating_avg::float8 AS rating_avg, l.rating_count, l.trust_score::float8 / 100 AS trust,
                         l.service_radius_m,
                         ST_Distance(l.location, q.pt) AS distance_m
                    FROM search_listings l
                   WHERE l.verified AND l.service_type = :service_type
                     AND (l.location <-> q.pt) <= :scan_radius_m
                     AND l.price_poisha <= :max_unit_price AND l.provider_id <> :own_provider_id
                     AND NOT EXISTS (SELECT 1 FROM job_offers o
                                      WHERE o.request_id = :request_id AND o.provider_id = l.provider_id)
                     AND (NOT :free_only OR NOT EXISTS (
                           SELECT 1 FROM job_offers o JOIN job_requests x ON x.id = o.request_id
                            WHERE o.provider_id = l.provider_id AND o.status = 'open'
                              AND x.request_window && ${WINDOW_RANGE}))
                     ${freeForWindow("l.provider_id")}
                   ORDER BY l.location <-> q.pt
                   LIMIT :pool) k
   WHERE k.distance_m <= least(k.service_radius_m, :max_radius_m)`,
});

/** An offer of the next wave, as the object ranked it. */
export interface WaveOffer {
  provider_id: number;
  rank: number;
  score: number;
  distance_m: number;
  price_poisha: number;
  unit: string;
}

/**
 * Opens the next wave, only from the wave the object read (:expected_wave) and while the request searches: what
 * is still open of the last wave expires, the new offers are inserted, and the request records its wave and end.
 */
export const OPEN_WAVE = statement({
  params: { request_id: int, expected_wave: int, wave_ends_at: text, offers: text },
  row: z.object({
    offer_id: bigintNumber,
    provider_id: bigintNumber,
    provider_user_id: bigintNumber,
    distance_m: float,
    price_poisha: bigintNumber,
  }),
  text: `
  WITH r AS (
    UPDATE job_requests SET wave = wave + 1, wave_ends_at = :wave_ends_at::timestamptz
     WHERE id = :request_id AND status = 'SEARCHING' AND wave = :expected_wave
    RETURNING id, wave
  ), expired AS (
    UPDATE job_offers SET status = 'expired'
     WHERE request_id = :request_id AND status = 'open' AND EXISTS (SELECT 1 FROM r)
  ), ins AS (
    INSERT INTO job_offers (request_id, provider_id, wave, rank, score, distance_m, price_poisha, unit, expires_at)
    SELECT r.id, i.provider_id, r.wave, i.rank, i.score, i.distance_m, i.price_poisha, i.unit, :wave_ends_at::timestamptz
      FROM r, jsonb_to_recordset(:offers::jsonb)
           AS i(provider_id bigint, rank int, score float8, distance_m float8, price_poisha bigint, unit text)
    ON CONFLICT (request_id, provider_id) DO NOTHING
    RETURNING id, provider_id, distance_m, price_poisha
  )
  SELECT ins.id AS offer_id, ins.provider_id, p.user_id AS provider_user_id, ins.distance_m, ins.price_poisha
    FROM ins JOIN providers p ON p.id = ins.provider_id`,
});

/** Offers taken back by a step: whose they were, for the withdrawal pushes. */
const Withdrawn = z.array(z.object({ offer_id: int, provider_user_id: int }));
const WITHDRAWN = (cte: string) => `(SELECT coalesce(json_agg(json_build_object('offer_id', g.id, 'provider_user_id',
    p.user_id)), '[]') FROM ${cte} g JOIN providers p ON p.id = g.provider_id) AS withdrawn`;

/**
 * Ends a search that is still SEARCHING: NO_PROVIDER (what was open expires with it) or CANCELED (what was open is
 * withdrawn). Answers the request as it now is and the offers taken back.
 */
export const CLOSE_REQUEST = statement({
  params: { request_id: int, status: JobRequestStatus.extract(["NO_PROVIDER", "CANCELED"]), offer_status: OfferStatus },
  row: z.object({ view: JobRequestView, withdrawn: Withdrawn }),
  text: `
  WITH r AS (
    UPDATE job_requests SET status = :status, closed_at = now()
     WHERE id = :request_id AND status = 'SEARCHING'
    RETURNING *
  ), gone AS (
    UPDATE job_offers o SET status = :offer_status
     WHERE o.request_id = :request_id AND o.status = 'open' AND EXISTS (SELECT 1 FROM r)
    RETURNING o.id, o.provider_id
  )
  SELECT job_request_view(ROW(r.*)::job_requests) AS view, ${WITHDRAWN("gone")} FROM r`,
});

/**
 * The winner: the request is MATCHED with the booking its provider's object made, the offer accepted (whatever it
 * says now: the booking exists), and every other open offer withdrawn in the same statement.
 */
export const MATCH = statement({
  params: { request_id: int, offer_id: int, provider_id: int, booking_id: int },
  row: z.object({ view: JobRequestView, withdrawn: Withdrawn }),
  text: `
  WITH r AS (
    UPDATE job_requests SET status = 'MATCHED', booking_id = :booking_id, provider_id = :provider_id,
                            closed_at = now()
     WHERE id = :request_id AND status = 'SEARCHING'
    RETURNING *
  ), won AS (
    UPDATE job_offers SET status = 'accepted', booking_id = :booking_id, responded_at = coalesce(responded_at, now())
     WHERE id = :offer_id AND request_id = :request_id AND EXISTS (SELECT 1 FROM r)
  ), gone AS (
    UPDATE job_offers o SET status = 'withdrawn'
     WHERE o.request_id = :request_id AND o.status = 'open' AND o.id <> :offer_id AND EXISTS (SELECT 1 FROM r)
    RETURNING o.id, o.provider_id
  )
  SELECT job_request_view(ROW(r.*)::job_requests) AS view, ${WITHDRAWN("gone")} FROM r`,
});

/** One offer of this request, with its provider's user and whether its time is still running. */
export const OFFER_STATE = statement({
  params: { request_id: int, offer_id: int },
  row: z.object({
    provider_id: bigintNumber,
    provider_user_id: bigintNumber,
    status: OfferStatus,
    live: z.boolean(),
    view: OfferView,
  }),
  text: `
  SELECT o.provider_id, p.user_id AS provider_user_id, o.status, o.expires_at > now() AS live,
         job_offer_view(o, r) AS view
    FROM job_offers o JOIN job_requests r ON r.id = o.request_id JOIN providers p ON p.id = o.provider_id
   WHERE o.id = :offer_id AND o.request_id = :request_id`,
});

/** A provider's answer that is not a win: declined, or unavailable (their own booking took that time first). */
export const ANSWER_OFFER = statement({
  params: {
    offer_id: int,
    status: OfferStatus.extract(["declined", "unavailable"]),
    reason: text.nullable(),
  },
  row: z.object({ view: OfferView }),
  text: `
  UPDATE job_offers o SET status = :status, responded_at = now(), decline_reason = :reason
    FROM job_requests r
   WHERE o.id = :offer_id AND o.status = 'open' AND r.id = o.request_id
  RETURNING job_offer_view(o, r) AS view`,
});

/** Other searches holding an open offer for this provider at an overlapping time: the provider just took this one. */
export const TAKEN_ELSEWHERE = statement({
  params: { provider_id: int, request_id: int, start: text, end: text },
  row: z.object({ request_id: bigintNumber }),
  text: `
  SELECT DISTINCT o.request_id FROM job_offers o JOIN job_requests r ON r.id = o.request_id
   WHERE o.provider_id = :provider_id AND o.status = 'open' AND o.request_id <> :request_id
     AND r.status = 'SEARCHING' AND r.request_window && ${WINDOW_RANGE}`,
});

/**
 * This request's open offers to providers who can no longer win it (a booking of theirs now holds an overlapping
 * time): unavailable, answered as the providers' own refusal would be.
 */
export const RELEASE_TAKEN = statement({
  params: { request_id: int },
  row: z.object({ offer_id: bigintNumber, provider_user_id: bigintNumber }),
  text: `
  WITH gone AS (
    UPDATE job_offers o SET status = 'unavailable', responded_at = now()
      FROM job_requests r
     WHERE o.request_id = :request_id AND o.status = 'open' AND r.id = o.request_id AND r.status = 'SEARCHING'
       AND EXISTS (SELECT 1 FROM bookings b
                    WHERE b.provider_id = o.provider_id AND b.booking_window && r.request_window
                      AND b.status IN (${ActiveStatus.options.map((x) => `'${x}'`).join(", ")}))
    RETURNING o.id, o.provider_id
  )
  SELECT g.id AS offer_id, p.user_id AS provider_user_id FROM gone g JOIN providers p ON p.id = g.provider_id`,
});

export const REQUEST_VIEW = statement({
  params: { request_id: int },
  row: z.object({ view: JobRequestView }),
  text: "SELECT job_request_view(r) AS view FROM job_requests r WHERE r.id = :request_id",
});
