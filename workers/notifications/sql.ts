// Every statement of the notifications worker: who hears about an event, and the delivery log that makes
// at-least-once queue delivery notify-once.
import { z } from "zod";
import { DeliveryChannel, DeliveryStatus, Lang, NotificationEventType } from "../../lib/enums";
import { bigintNumber, NoRow, statement } from "../../platform/pg/sql";

const EventId = z.string().uuid();
const Id = z.number().int().positive();

/** The people an event is for, with their language, preferences and push tokens (none when no device). */
export const RECIPIENTS = statement({
  params: { ids: z.array(Id) },
  row: z.object({
    id: bigintNumber,
    phone: z.string(),
    lang: Lang,
    notify_push: z.boolean(),
    notify_sms: z.boolean(),
    quiet_start_min: z.number().int().nullable(),
    quiet_end_min: z.number().int().nullable(),
    devices: z.array(z.string()),
  }),
  text: `
    SELECT u.id, u.phone, u.lang, u.notify_push, u.notify_sms, u.quiet_start_min, u.quiet_end_min,
           COALESCE(array_agg(d.push_token) FILTER (WHERE d.push_token IS NOT NULL), '{}') AS devices
      FROM users u LEFT JOIN user_devices d ON d.user_id = u.id
     WHERE u.id = ANY(:ids::bigint[]) GROUP BY u.id`,
});
export type Recipient = z.infer<typeof RECIPIENTS.row>;

const Delivery = {
  event_id: EventId,
  user_id: Id,
  channel: DeliveryChannel,
  target_hash: z.string().regex(/^[0-9a-f]{64}$/),
};

/**
 * Claims one delivery for this consumer: a row comes back only when nobody else holds it. New deliveries, ones that
 * failed or were held back (quiet hours), and ones whose claim is older than the lease (their consumer died between
 * claim and record) are taken; a delivery already sent, or claimed by a consumer that may still be sending it, is
 * not. `updated_at` is the claim's timestamp while a row is pending (set on insert and by the trigger on every
 * update). Two claims racing on one key serialize on the unique index: the second sees the first's fresh claim and
 * gets no row. The target is stored only as a hash.
 */
export const CLAIM_DELIVERY = statement({
  params: {
    ...Delivery,
    event_type: NotificationEventType,
    booking_id: Id.nullable(),
    lease_s: z.number().int().positive(),
  },
  row: NoRow,
  text: `
    INSERT INTO notification_deliveries (event_id, event_type, booking_id, user_id, channel, target_hash, status, attempts)
    VALUES (:event_id, :event_type, :booking_id, :user_id, :channel, :target_hash, 'pending', 1)
    ON CONFLICT (event_id, user_id, channel, target_hash)
      DO UPDATE SET attempts = notification_deliveries.attempts + 1, status = 'pending', error = NULL
      WHERE notification_deliveries.status IN ('failed', 'skipped')
         OR (notification_deliveries.status = 'pending'
             AND notification_deliveries.updated_at < now() - make_interval(secs => :lease_s))
    RETURNING status`,
});

/**
 * Why a claim came back empty: sent already, or held by another consumer for `wait_s` more seconds (0 when the row
 * changed in between: look again soon).
 */
export const DELIVERY_STATE = statement({
  params: { ...Delivery, lease_s: z.number().int().positive() },
  row: z.object({ status: DeliveryStatus, wait_s: z.number().int() }),
  text: `
    SELECT status,
           CASE WHEN status = 'pending'
                THEN GREATEST(0, ceil(extract(epoch FROM updated_at + make_interval(secs => :lease_s) - now())))::int
                ELSE 0 END AS wait_s
      FROM notification_deliveries
     WHERE event_id = :event_id AND user_id = :user_id AND channel = :channel AND target_hash = :target_hash`,
});

/** How a claimed delivery ended; a delivery already sent is never changed. */
export const RECORD_DELIVERY = statement({
  params: { ...Delivery, status: DeliveryStatus.exclude(["pending"]), error: z.string().max(300).nullable() },
  row: NoRow,
  text: `
    UPDATE notification_deliveries SET status = :status, error = :error
     WHERE event_id = :event_id AND user_id = :user_id AND channel = :channel AND target_hash = :target_hash
       AND status <> 'sent'`,
});

/** A service's name in both languages, for matching's pushes (the catalog lives in the database). */
export const SERVICE_NAME = statement({
  params: { service_type: z.string() },
  row: z.object({ name_en: z.string(), name_bn: z.string() }),
  text: "SELECT name_en, name_bn FROM services WHERE service_type = :service_type",
});

/** FCM said this token will never work again. */
export const FORGET_DEVICE = statement({
  params: { push_token: z.string() },
  row: NoRow,
  text: "DELETE FROM user_devices WHERE push_token = :push_token",
});

/** An event gave up in the dead-letter queue: what is still open for it failed. */
export const FAIL_OPEN_DELIVERIES = statement({
  params: { event_id: EventId },
  row: NoRow,
  text: `
    UPDATE notification_deliveries SET status = 'failed', error = 'dead_letter'
     WHERE event_id = :event_id AND status <> 'sent'`,
});

/** The users behind provider profiles (money news names providers). */
export const USERS_OF_PROVIDERS = statement({
  params: { ids: z.array(Id) },
  row: z.object({ user_id: bigintNumber }),
  text: "SELECT user_id FROM providers WHERE id = ANY(:ids::bigint[])",
});
