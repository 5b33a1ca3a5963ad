// Disputes: a customer's objection to a completed booking inside the window, which freezes its earnings until an
// admin resolves it. Refunds themselves go through the provider's object like any refund.
import { z } from "zod";
import { BookingStatus, DisputeResolution, DisputeStatus } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const int = z.number().int();

export const DisputeRow = z.object({
  id: bigintNumber,
  booking_id: bigintNumber,
  opened_by: bigintNumber,
  reason: z.string(),
  status: DisputeStatus,
  resolution: DisputeResolution.nullable(),
  refund_poisha: bigintNumber.nullable(),
  created_at: timestamp,
  resolved_at: timestamp.nullable(),
});

/**
 * Opens the booking's dispute when the caller is its customer, it is COMPLETED and the window is open. A repeat
 * answers the existing dispute. Also answers what decides a refusal (status, whether the window is open).
 */
export const OPEN_DISPUTE = statement({
  params: { booking_id: int, user_id: int, reason: z.string(), window_s: int },
  row: z.object({
    customer_id: bigintNumber,
    status: BookingStatus,
    in_window: z.boolean(),
    provider_user_id: bigintNumber,
    dispute: DisputeRow.nullable(),
    fresh: z.boolean(),
  }),
  text: `
  WITH b AS (
    SELECT b.id, b.customer_id, b.status, p.user_id AS provider_user_id,
           coalesce(b.ended_at > now() - make_interval(secs => :window_s), false) AS in_window
      FROM bookings b JOIN providers p ON p.id = b.provider_id WHERE b.id = :booking_id
  ), ins AS (
    INSERT INTO disputes (booking_id, opened_by, reason)
    SELECT id, :user_id, :reason FROM b WHERE customer_id = :user_id AND status = 'COMPLETED' AND in_window
    ON CONFLICT (booking_id) DO NOTHING
    RETURNING *
  )
  SELECT b.customer_id, b.status, b.in_window, b.provider_user_id,
         coalesce((SELECT to_jsonb(ins) FROM ins), (SELECT to_jsonb(d) FROM disputes d WHERE d.booking_id = b.id)) AS dispute,
         EXISTS (SELECT 1 FROM ins) AS fresh
    FROM b`,
});

export const DISPUTE_BY_ID = statement({
  params: { id: int },
  row: DisputeRow.extend({ provider_id: bigintNumber, captured: bigintNumber, refunded: bigintNumber }),
  text: `
  SELECT d.*, b.provider_id, coalesce(y.captured_poisha, 0) AS captured, coalesce(y.refunded_poisha, 0) AS refunded
    FROM disputes d JOIN bookings b ON b.id = d.booking_id LEFT JOIN payments y ON y.booking_id = b.id
   WHERE d.id = :id`,
});

/** Closes the dispute with its outcome and the admin_audit row; a repeat of the same outcome is a no-op. */
export const RESOLVE_DISPUTE = statement({
  params: {
    id: int,
    admin_id: int,
    resolution: DisputeResolution,
    refund_poisha: int.nullable(),
    reason: z.string(),
  },
  row: DisputeRow,
  text: `
  WITH done AS (
    UPDATE disputes SET status = 'resolved', resolution = :resolution, refund_poisha = :refund_poisha,
                        resolved_by = :admin_id, resolved_at = now()
     WHERE id = :id AND status = 'open'
    RETURNING *
  ), audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
    SELECT :admin_id, 'dispute.' || :resolution::text, 'dispute', :id::bigint::text,
           jsonb_build_object('reason', :reason::text, 'refund_poisha', :refund_poisha::bigint) FROM done
  )
  SELECT * FROM done
  UNION ALL
  SELECT * FROM disputes WHERE id = :id AND status = 'resolved' AND resolution = :resolution
     AND NOT EXISTS (SELECT 1 FROM done)`,
});

/** The admin whose key a dispute's refund runs under: the first to resolve it with a refund (kept for retries). */
export const CLAIM_REFUND_ACTOR = statement({
  params: { id: int, admin_id: int },
  row: z.object({ refund_actor: bigintNumber }),
  text: `
  UPDATE disputes SET refund_actor = coalesce(refund_actor, :admin_id) WHERE id = :id AND status = 'open'
  RETURNING refund_actor`,
});
