// The cron's review statements: windows that ran out (publish_reviews, the one place reviews are published), windows
// still to announce (review.requested) or to remind (review.reminder), and the outbox marks after a send. A window
// is marked in the statement that puts its announcement in the outbox, so two sweeps never announce it twice.
import { z } from "zod";
import { ReviewSide } from "../../../lib/enums";
import { bigintNumber, NoRow, statement, timestamp } from "../../../platform/pg/sql";
import { Published } from "./reviews";

const int = z.number().int();
const num = z.number();

/** A window with what its announcements need: the parties, the service, and which sides have written. */
export const WindowRow = z.object({
  booking_id: bigintNumber,
  customer_id: bigintNumber,
  provider_id: bigintNumber,
  provider_user_id: bigintNumber,
  service_type: z.string(),
  completed_at: timestamp,
  reviewed: z.array(ReviewSide),
});
export type WindowRow = z.infer<typeof WindowRow>;

const windowsWhere = (where: string) => `
  SELECT w.booking_id, w.customer_id, w.provider_id, p.user_id AS provider_user_id, b.service_type, w.completed_at,
         COALESCE((SELECT array_agg(r.author_role ORDER BY r.author_role) FROM reviews r WHERE r.booking_id = w.booking_id),
                  '{}') AS reviewed
    FROM review_windows w JOIN bookings b ON b.id = w.booking_id JOIN providers p ON p.id = w.provider_id
   WHERE ${where}
   ORDER BY w.completed_at
   LIMIT :limit`;

/** Windows that ran out and are not closed yet (their reviews, if any, are published by publish_reviews). */
export const WINDOWS_DUE = statement({
  params: { window_s: num, limit: int },
  row: WindowRow,
  text: windowsWhere("w.published_at IS NULL AND w.completed_at <= now() - make_interval(secs => :window_s::float8)"),
});

/** Completed bookings whose parties have not been asked for their reviews yet (the window still open). */
export const WINDOWS_TO_REQUEST = statement({
  params: { window_s: num, limit: int },
  row: WindowRow,
  text: windowsWhere(
    "w.requested_at IS NULL AND w.published_at IS NULL AND w.completed_at > now() - make_interval(secs => :window_s::float8)",
  ),
});

/** Open windows closing within :remind_s that have not had their reminder. */
export const WINDOWS_TO_REMIND = statement({
  params: { window_s: num, remind_s: num, limit: int },
  row: WindowRow,
  text: windowsWhere(`w.reminded_at IS NULL AND w.published_at IS NULL
     AND w.completed_at > now() - make_interval(secs => :window_s::float8)
     AND w.completed_at <= now() - make_interval(secs => :window_s::float8) + make_interval(secs => :remind_s::float8)`),
});

/** publish_reviews for the windows the sweep found due. */
export const PUBLISH_DUE = statement({
  params: { booking_ids: z.array(int), window_s: num, events: z.string(), prior_weight: num, prior_mean: num },
  row: z.object({ result: Published }),
  text: `
  SELECT publish_reviews(:booking_ids::bigint[], :window_s::float8, :events::jsonb, :prior_weight::numeric,
                         :prior_mean::numeric) AS result`,
});

/**
 * Marks windows announced (`column`) and puts their announcements in the outbox, only for the windows this
 * statement marked: :booking_ids are all the windows looked at, :events the announcements of those that need one.
 */
const markAnnounced = (column: "requested_at" | "reminded_at") => `
  WITH marked AS (
    UPDATE review_windows w SET ${column} = now()
     WHERE w.booking_id = ANY(:booking_ids::bigint[]) AND w.${column} IS NULL
    RETURNING w.booking_id, w.provider_id
  ),
  ev AS (
    INSERT INTO outbox (event_id, topic, partition_key, payload)
    SELECT (e.value #>> '{meta,event_id}')::uuid, 'booking-events', m.provider_id::text, e.value
      FROM marked m JOIN jsonb_array_elements(:events::jsonb) e ON (e.value ->> 'booking_id')::bigint = m.booking_id
    RETURNING id, payload
  )
  SELECT id, payload FROM ev`;

const OutboxRow = z.object({ id: bigintNumber, payload: z.unknown() });

export const MARK_REQUESTED = statement({
  params: { booking_ids: z.array(int), events: z.string() },
  row: OutboxRow,
  text: markAnnounced("requested_at"),
});

export const MARK_REMINDED = statement({
  params: { booking_ids: z.array(int), events: z.string() },
  row: OutboxRow,
  text: markAnnounced("reminded_at"),
});

/** After a send: the outbox rows the queue took. */
export const MARK_OUTBOX_PUBLISHED = statement({
  params: { ids: z.array(int) },
  row: NoRow,
  text: "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(:ids::bigint[])",
});

/** A send that failed: the rows stay unpublished for the cron's outbox sweep (through the provider's object). */
export const MARK_OUTBOX_FAILED = statement({
  params: { ids: z.array(int), error: z.string() },
  row: NoRow,
  text: "UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = ANY(:ids::bigint[])",
});
