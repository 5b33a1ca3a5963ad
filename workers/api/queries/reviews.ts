// The reviews' SQL: what a submission reads and the one statement that writes it (submit_review, migration 0017),
// the reads of the booking's, the provider's and the customer's reviews, and replies, reports and moderation.
// Publication itself happens only in the SQL function publish_reviews; these statements reach it through
// submit_review and, for the window closing, the sweep in ./review-windows.ts.
import { z } from "zod";
import { BookingStatus, ReviewFlag, ReviewSide, VerificationStatus } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";
import { claimAnd, KEY } from "./idempotency";

const int = z.number().int();
const num = z.number();
const text = z.string();
const maybeText = z.string().nullable();

/** A review as review_view(r) builds it: what its author, the party reviewed and admins see. */
export const ReviewView = z.object({
  id: int,
  booking_id: int,
  author_role: ReviewSide,
  rating: int,
  ratings: z.object({ punctuality: int.nullable(), quality: int.nullable(), behaviour: int.nullable() }).nullable(),
  text: z.string().nullable(),
  redacted: z.boolean(),
  created_at: z.string(),
  published_at: z.string().nullable(),
  hidden: z.boolean(),
  reply: z.object({ text: z.string(), created_at: z.string(), edited_at: z.string().nullable() }).nullable(),
});
export type ReviewView = z.infer<typeof ReviewView>;

/** The answer to a submission, as submit_review stores it under the key. */
export const SubmittedReview = ReviewView.extend({ window_closes_at: z.string() });
export type SubmittedReview = z.infer<typeof SubmittedReview>;

/** Announcements publish_reviews put in the outbox, and the providers it re-rated. */
export const Published = z.object({
  events: z.array(z.object({ id: bigintNumber, payload: z.unknown() })),
  providers: z.array(bigintNumber),
});
export type Published = z.infer<typeof Published>;

/**
 * Round trip 1 of a submission: claims the key and reads the booking, its window, which sides have written, whether
 * the money was kept, and whether the two parties ever signed in on one device (a device id or a device key).
 */
export const REVIEW_CONTEXT = statement({
  params: { ...KEY, booking_id: int },
  row: z.object({
    claimed: z.boolean(),
    status: BookingStatus.nullable(),
    customer_id: bigintNumber.nullable(),
    provider_id: bigintNumber.nullable(),
    provider_user_id: bigintNumber.nullable(),
    service_type: maybeText,
    completed_at: timestamp.nullable(),
    customer_reviewed: z.boolean().nullable(),
    provider_reviewed: z.boolean().nullable(),
    paid: z.boolean().nullable(),
    shared_device: z.boolean().nullable(),
    customer_name: maybeText,
    provider_name: maybeText,
    area: maybeText,
  }),
  text: claimAnd(`
  SELECT b.status, b.customer_id, b.provider_id, p.user_id AS provider_user_id, b.service_type, w.completed_at,
         EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id AND r.author_role = 'customer') AS customer_reviewed,
         EXISTS (SELECT 1 FROM reviews r WHERE r.booking_id = b.id AND r.author_role = 'provider') AS provider_reviewed,
         COALESCE((SELECT y.captured_poisha > y.refunded_poisha FROM payments y WHERE y.booking_id = b.id), false)
           AS paid,
         EXISTS (SELECT 1 FROM auth_sessions a JOIN auth_sessions o
                   ON o.device_id = a.device_id OR o.device_jkt = a.device_jkt
                  WHERE a.user_id = b.customer_id AND o.user_id = p.user_id) AS shared_device,
         cu.name AS customer_name, p.display_name AS provider_name, COALESCE(p.area, p.district, p.division) AS area
    FROM bookings b JOIN providers p ON p.id = b.provider_id JOIN users cu ON cu.id = b.customer_id
    LEFT JOIN review_windows w ON w.booking_id = b.id
   WHERE b.id = :booking_id`),
});
export type ReviewContextRow = z.infer<typeof REVIEW_CONTEXT.row>;

/** Round trip 2: the review, its publication when it is the second, and the answer under the key (one statement). */
export const SUBMIT_REVIEW = statement({
  params: {
    review: text,
    guards: text,
    window_s: num,
    events: text,
    prior_weight: num,
    prior_mean: num,
    key_user: int,
    key: maybeText,
  },
  row: z.object({
    result: z.discriminatedUnion("outcome", [
      z.object({ outcome: z.literal("created"), review: SubmittedReview, published: Published }),
      z.object({ outcome: z.literal("already") }),
      z.object({ outcome: z.literal("closed") }),
    ]),
  }),
  text: `
  SELECT submit_review(:review::jsonb, :guards::jsonb, :window_s::float8, :events::jsonb, :prior_weight::numeric,
                       :prior_mean::numeric, :key_user, :key) AS result`,
});

/** A booking's two reviews, with who may see them and the window. */
export const BOOKING_REVIEWS = statement({
  params: { booking_id: int },
  row: z.object({
    status: BookingStatus,
    customer_id: bigintNumber,
    provider_user_id: bigintNumber,
    completed_at: timestamp.nullable(),
    window_published_at: timestamp.nullable(),
    customer_review: ReviewView.nullable(),
    provider_review: ReviewView.nullable(),
  }),
  text: `
  SELECT b.status, b.customer_id, p.user_id AS provider_user_id, w.completed_at, w.published_at AS window_published_at,
         (SELECT review_view(r) FROM reviews r WHERE r.booking_id = b.id AND r.author_role = 'customer')
           AS customer_review,
         (SELECT review_view(r) FROM reviews r WHERE r.booking_id = b.id AND r.author_role = 'provider')
           AS provider_review
    FROM bookings b JOIN providers p ON p.id = b.provider_id LEFT JOIN review_windows w ON w.booking_id = b.id
   WHERE b.id = :booking_id`,
});

export const PROVIDER_STATUS = statement({
  params: { provider_id: int },
  row: z.object({ verification_status: VerificationStatus }),
  text: "SELECT verification_status FROM providers WHERE id = :provider_id",
});

/**
 * A page of a provider's public reviews, newest published first: keyset on (published_at in whole microseconds,
 * id), exact as a JavaScript number. Only customers' reviews, published and not hidden.
 */
export const PUBLIC_REVIEWS = statement({
  params: { provider_id: int, before_us: num.nullable(), before_id: int, limit: int },
  row: z.object({
    id: bigintNumber,
    rating: int,
    punctuality: int.nullable(),
    quality: int.nullable(),
    behaviour: int.nullable(),
    body: maybeText,
    reviewer_name: maybeText,
    reviewer_area: maybeText,
    published_at: timestamp,
    published_us: bigintNumber,
    reply_body: maybeText,
    reply_at: timestamp.nullable(),
    reply_edited_at: timestamp.nullable(),
  }),
  text: `
  SELECT * FROM (
    SELECT r.id, r.rating, r.punctuality, r.quality, r.behaviour, r.body, r.reviewer_name, r.reviewer_area,
           r.published_at, (extract(epoch FROM r.published_at) * 1000000)::bigint AS published_us,
           r.reply_body, r.reply_at, r.reply_edited_at
      FROM reviews r
     WHERE r.provider_id = :provider_id AND r.author_role = 'customer' AND r.published_at IS NOT NULL
       AND r.hidden_at IS NULL
  ) x
   WHERE :before_us::float8 IS NULL OR (x.published_us, x.id) < (:before_us::bigint, :before_id::bigint)
   ORDER BY x.published_at DESC, x.id DESC
   LIMIT :limit`,
});

/** A review with the booking's parties: who may reply to it, report it, or see it. */
export const REVIEW_PARTIES = statement({
  params: { review_id: int },
  row: z.object({
    review: ReviewView,
    provider_id: bigintNumber,
    customer_id: bigintNumber,
    provider_user_id: bigintNumber,
    reply_at: timestamp.nullable(),
  }),
  text: `
  SELECT review_view(r) AS review, r.provider_id, b.customer_id, p.user_id AS provider_user_id, r.reply_at
    FROM reviews r JOIN bookings b ON b.id = r.booking_id JOIN providers p ON p.id = r.provider_id
   WHERE r.id = :review_id`,
});

/**
 * The provider's reply: written once, then edited while within :edit_s of the first writing. No row when the edit
 * period is over (or the review is not one a reply can go on).
 */
export const SAVE_REPLY = statement({
  params: { review_id: int, body: text, edit_s: num },
  row: z.object({ review: ReviewView }),
  text: `
  UPDATE reviews r
     SET reply_body = :body, reply_at = COALESCE(r.reply_at, now()),
         reply_edited_at = CASE WHEN r.reply_at IS NULL THEN NULL ELSE now() END
   WHERE r.id = :review_id AND r.author_role = 'customer' AND r.published_at IS NOT NULL AND r.hidden_at IS NULL
     AND (r.reply_at IS NULL OR r.reply_at > now() - make_interval(secs => :edit_s::float8))
  RETURNING review_view(r.*) AS review`,
});

/** A report, once per reporter; a new report puts a kept review back in the moderation queue. */
export const REPORT_REVIEW = statement({
  params: { review_id: int, reporter_id: int, reason: text },
  row: z.object({ fresh: z.boolean(), reported_at: timestamp }),
  text: `
  WITH ins AS (
    INSERT INTO review_reports (review_id, reporter_id, reason) VALUES (:review_id, :reporter_id, :reason)
    ON CONFLICT DO NOTHING RETURNING created_at
  ),
  reopen AS (
    UPDATE reviews SET moderated_at = NULL
     WHERE id = :review_id AND moderated_at IS NOT NULL AND EXISTS (SELECT 1 FROM ins) RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM ins) AS fresh,
         COALESCE((SELECT created_at FROM ins),
                  (SELECT created_at FROM review_reports WHERE review_id = :review_id AND reporter_id = :reporter_id))
           AS reported_at`,
});

/** Reviews waiting for an admin: flagged or reported, neither hidden nor kept since. */
export const MODERATION_QUEUE = statement({
  params: { limit: int },
  row: z.object({
    review: ReviewView,
    provider_id: bigintNumber,
    flags: z.array(ReviewFlag),
    redactions: z.record(z.string(), z.number()),
    reports: z.array(z.object({ reason: z.string(), created_at: z.string() })),
  }),
  text: `
  SELECT review_view(r) AS review, r.provider_id, r.flags, r.redactions,
         COALESCE((SELECT json_agg(json_build_object('reason', x.reason, 'created_at', iso_utc(x.created_at))
                                   ORDER BY x.created_at)
                     FROM review_reports x WHERE x.review_id = r.id), '[]') AS reports
    FROM reviews r
   WHERE r.hidden_at IS NULL AND r.moderated_at IS NULL
     AND (r.flags <> '{}' OR EXISTS (SELECT 1 FROM review_reports x WHERE x.review_id = r.id))
   ORDER BY r.id
   LIMIT :limit`,
});

/** Hides a published review (hide_review: kept, audited, aggregates recomputed in the same transaction). */
export const HIDE_REVIEW = statement({
  params: { review_id: int, admin_id: int, reason: text, prior_weight: num, prior_mean: num },
  row: z.object({
    result: z.object({ changed: z.boolean(), review: ReviewView.nullable(), provider_id: bigintNumber.optional() }),
  }),
  text: `
  SELECT hide_review(:review_id, :admin_id, :reason, :prior_weight::numeric, :prior_mean::numeric) AS result`,
});

/** An admin keeps a review up: the reports and flags are answered (audited). */
export const KEEP_REVIEW = statement({
  params: { review_id: int, admin_id: int, reason: maybeText },
  row: z.object({ review: ReviewView }),
  text: `
  WITH k AS (
    UPDATE reviews SET moderated_at = now() WHERE id = :review_id AND hidden_at IS NULL RETURNING *
  ),
  audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
    SELECT :admin_id, 'review.keep', 'review', k.id::text, jsonb_build_object('reason', :reason::text) FROM k
  )
  SELECT review_view(ROW(k.*)::reviews) AS review FROM k`,
});

/** What a provider sees of a customer before accepting: their published ratings from providers, and their jobs. */
export const CUSTOMER_RATING = statement({
  params: { booking_id: int },
  row: z.object({
    customer_id: bigintNumber,
    provider_user_id: bigintNumber,
    customer_name: maybeText,
    rating_count: int,
    rating_sum: int,
    completed_bookings: int,
  }),
  text: `
  SELECT b.customer_id, p.user_id AS provider_user_id, u.name AS customer_name,
         (SELECT count(*)::int FROM reviews r
           WHERE r.subject_id = b.customer_id AND r.author_role = 'provider' AND r.published_at IS NOT NULL
             AND r.hidden_at IS NULL) AS rating_count,
         (SELECT COALESCE(sum(r.rating), 0)::int FROM reviews r
           WHERE r.subject_id = b.customer_id AND r.author_role = 'provider' AND r.published_at IS NOT NULL
             AND r.hidden_at IS NULL) AS rating_sum,
         (SELECT count(*)::int FROM bookings c WHERE c.customer_id = b.customer_id AND c.status = 'COMPLETED')
           AS completed_bookings
    FROM bookings b JOIN providers p ON p.id = b.provider_id JOIN users u ON u.id = b.customer_id
   WHERE b.id = :booking_id`,
});
