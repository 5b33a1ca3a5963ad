// The reputation refresh's SQL: which providers need their trust score computed again (marked dirty by a booking
// step, a publication, a hide or a verification decision; or computed more than a day ago, since tenure grows),
// their inputs from the audit trail and the reviews, and the write-back of the scores lib/reputation.ts computes.
import { z } from "zod";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const int = z.number().int();
const float = z.union([z.number(), z.string()]).transform(Number);

/** Dirty providers first (oldest mark first), then scores older than :older_s. */
export const REPUTATION_DUE = statement({
  params: { older_s: z.number(), limit: int },
  row: z.object({ provider_id: bigintNumber }),
  text: `
  (SELECT d.provider_id FROM reputation_dirty d ORDER BY d.marked_at LIMIT :limit)
  UNION ALL
  (SELECT r.provider_id FROM provider_reputation r
    WHERE r.computed_at < now() - make_interval(secs => :older_s::float8)
      AND NOT EXISTS (SELECT 1 FROM reputation_dirty d WHERE d.provider_id = r.provider_id)
    ORDER BY r.computed_at LIMIT :limit)
  LIMIT :limit`,
});

/**
 * Every input of the trust score, per provider, read in one snapshot (read_at is its time) with its dirty mark. From
 * the audit trail:
 * requests that left PENDING by an answer or the timeout, accepted ones, answers and their median delay from the
 * request, provider cancels within :free_cancel_s of the start, and customer cancels of CONFIRMED bookings at or
 * after the start (no-shows). Completed jobs count only when the money was kept. From chat: confirmed contact-sharing
 * violations (an input of weight 0 until it is given one).
 */
export const REPUTATION_INPUTS = statement({
  params: { ids: z.array(int), free_cancel_s: z.number() },
  row: z.object({
    provider_id: bigintNumber,
    /** The provider's dirty mark as this snapshot has it: the refresh clears exactly that mark. */
    dirty_seq: bigintNumber.nullable(),
    /** The snapshot's time, exact (text): a later refresh never loses to an earlier one. */
    read_at: z.string(),
    lat: float,
    lng: float,
    verified: z.boolean(),
    tenure_days: int,
    rating: float,
    rating_count: int,
    completed_jobs: int,
    requests: int,
    accepted: int,
    responses: int,
    response_median_s: float.nullable(),
    late_cancels: int,
    no_shows: int,
    contact_violations: int,
  }),
  text: `
  SELECT p.id AS provider_id, d.seq AS dirty_seq, now()::text AS read_at, ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         p.verification_status = 'verified' AS verified,
         GREATEST(0, floor(extract(epoch FROM now() - p.created_at) / 86400))::int AS tenure_days,
         p.rating_avg::float8 AS rating, p.rating_count,
         COALESCE(j.completed_jobs, 0) AS completed_jobs,
         COALESCE(g.requests, 0) AS requests, COALESCE(g.accepted, 0) AS accepted,
         COALESCE(g.responses, 0) AS responses, g.response_median_s,
         COALESCE(g.late_cancels, 0) AS late_cancels, COALESCE(g.no_shows, 0) AS no_shows,
         -- Chat cases an admin resolved by warning or suspending the provider's user over contact sharing.
         (SELECT count(DISTINCT c.id)::int FROM chat_cases c
            JOIN chat_reports x ON x.case_id = c.id AND x.kind = 'contact_sharing' AND x.subject_id = p.user_id
           WHERE c.status = 'resolved' AND c.resolution IN ('warn', 'suspend')
             AND EXISTS (SELECT 1 FROM admin_audit a
                          WHERE a.target_type = 'chat_case' AND a.target_id = c.id::text
                            AND (a.meta ->> 'subject_id')::bigint = p.user_id)) AS contact_violations
    FROM providers p
    LEFT JOIN reputation_dirty d ON d.provider_id = p.id
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS completed_jobs FROM bookings b JOIN payments y ON y.booking_id = b.id
       WHERE b.provider_id = p.id AND b.status = 'COMPLETED' AND y.captured_poisha > y.refunded_poisha
    ) j ON true
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE a.from_status = 'PENDING' AND a.action IN ('accept', 'decline', 'expire'))::int
               AS requests,
             count(*) FILTER (WHERE a.action = 'accept')::int AS accepted,
             count(*) FILTER (WHERE a.action IN ('accept', 'decline'))::int AS responses,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.created_at - b.created_at))
               FILTER (WHERE a.action IN ('accept', 'decline')) AS response_median_s,
             count(*) FILTER (WHERE a.action = 'cancel' AND a.meta ->> 'actor' = 'provider'
                                AND a.created_at > b.start_date - make_interval(secs => :free_cancel_s::float8))::int
               AS late_cancels,
             count(*) FILTER (WHERE a.action = 'cancel' AND a.meta ->> 'actor' = 'customer'
                                AND a.from_status = 'CONFIRMED' AND a.created_at >= b.start_date)::int AS no_shows
        FROM bookings b JOIN audit_log a ON a.booking_id = b.id
       WHERE b.provider_id = p.id
    ) g ON true
   WHERE p.id = ANY(:ids::bigint[])`,
});
export type ReputationInputsRow = z.infer<typeof REPUTATION_INPUTS.row>;

/**
 * Writes the scores: each provider's inputs and score, unless a refresh that read later has written already; the
 * score onto the provider (its search listings follow by trigger) when it changed; and the dirty marks this refresh
 * covered, only where the mark is still the one it read. Answers the providers whose score changed.
 */
export const SAVE_REPUTATION = statement({
  params: { rows: z.string(), read_at: z.string() },
  row: z.object({ provider_id: bigintNumber, changed: z.boolean() }),
  text: `
  WITH v AS (
    SELECT * FROM jsonb_to_recordset(:rows::jsonb) AS x(provider_id bigint, seq bigint, inputs jsonb, trust_score numeric)
  ),
  rep AS (
    INSERT INTO provider_reputation AS r (provider_id, inputs, trust_score, computed_at)
    SELECT v.provider_id, v.inputs, v.trust_score, :read_at::timestamptz FROM v
    ON CONFLICT (provider_id) DO UPDATE
      SET inputs = EXCLUDED.inputs, trust_score = EXCLUDED.trust_score, computed_at = EXCLUDED.computed_at
      WHERE r.computed_at < EXCLUDED.computed_at
    RETURNING r.provider_id, r.trust_score
  ),
  moved AS (
    UPDATE providers p SET trust_score = rep.trust_score FROM rep
     WHERE p.id = rep.provider_id AND p.trust_score <> rep.trust_score
    RETURNING p.id
  ),
  cleared AS (
    DELETE FROM reputation_dirty d USING v WHERE d.provider_id = v.provider_id AND d.seq = v.seq
  )
  SELECT rep.provider_id, EXISTS (SELECT 1 FROM moved WHERE moved.id = rep.provider_id) AS changed FROM rep`,
});

/** A provider's stored reputation: the inputs the score was computed from, the score, and when. */
export const STORED_REPUTATION = statement({
  params: { provider_id: int },
  row: z.object({
    inputs: z.object({
      verified: z.boolean(),
      tenure_days: int,
      rating: z.number(),
      rating_count: int,
      completed_jobs: int,
      requests: int,
      accepted: int,
      responses: int,
      response_median_s: z.number().nullable(),
      late_cancels: int,
      no_shows: int,
      contact_violations: int,
    }),
    trust_score: float,
    computed_at: timestamp,
  }),
  text: "SELECT inputs, trust_score, computed_at FROM provider_reputation WHERE provider_id = :provider_id",
});
