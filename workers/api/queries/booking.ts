// The gateway's booking reads (through PgReader), and the outbox sweep's. Writes to bookings happen only in the
// provider's object; these read the same booking_view the object's changes answer with.
import { z } from "zod";
import { BookingView, PaymentRow } from "../../../durable-objects/provider-bookings/client";
import { BookingStatus } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const int = z.number().int();

/** A booking with what decides who may see it, and its payment row. */
export const VISIBLE_BOOKING = statement({
  params: { booking_id: int },
  row: z.object({
    view: BookingView,
    customer_id: bigintNumber,
    provider_user_id: bigintNumber,
    payment: PaymentRow.nullable(),
  }),
  text: `
  SELECT booking_view(b) AS view, b.customer_id, p.user_id AS provider_user_id,
         (SELECT to_jsonb(y) FROM payments y WHERE y.booking_id = b.id) AS payment
    FROM bookings b JOIN providers p ON p.id = b.provider_id WHERE b.id = :booking_id`,
});

export const BOOKING_AUDIT = statement({
  params: { booking_id: int },
  row: z.object({
    action: z.string(),
    actor_id: bigintNumber.nullable(),
    from_status: z.string().nullable(),
    to_status: z.string().nullable(),
    meta: z.record(z.string(), z.unknown()),
    created_at: timestamp,
  }),
  text: `
  SELECT action, actor_id, from_status, to_status, meta, created_at
    FROM audit_log WHERE booking_id = :booking_id ORDER BY id`,
});

const LIST = {
  user_id: int,
  status: BookingStatus.nullable(),
  before_id: int.nullable(),
  limit: int,
};
const listOf = (who: string) => `
  SELECT booking_view(b) AS view FROM bookings b
   WHERE ${who} AND (:status::text IS NULL OR b.status = :status) AND (:before_id::bigint IS NULL OR b.id < :before_id)
   ORDER BY b.id DESC LIMIT :limit`;
const ListRow = z.object({ view: BookingView });

/** A page of the caller's bookings as their customer, newest first. */
export const CUSTOMER_BOOKINGS = statement({
  params: LIST,
  row: ListRow,
  text: listOf("b.customer_id = :user_id"),
});

/** A page of the bookings of the caller's provider profile, newest first. */
export const PROVIDER_BOOKINGS = statement({
  params: LIST,
  row: ListRow,
  text: listOf("b.provider_id = (SELECT id FROM providers WHERE user_id = :user_id)"),
});

/** Providers with outbox events no object relayed within :stale_s seconds. */
export const STALE_OUTBOX_PARTITIONS = statement({
  params: { stale_s: int },
  row: z.object({ partition_key: z.string() }),
  text: `
  SELECT DISTINCT partition_key FROM outbox
   WHERE published_at IS NULL AND created_at < now() - make_interval(secs => :stale_s) LIMIT 500`,
});
