// The gateway's payment reads: which booking (and so which provider's object) a payment belongs to. They only find
// the owner; every write to `payments` happens in that provider's object. Also the record of webhook events that
// belong to no payment (webhook_events is a log of deliveries, not a ledger).
import { z } from "zod";
import { LedgerGateway } from "../../../lib/enums";
import { bigintNumber, statement } from "../../../platform/pg/sql";

const int = z.number().int();

/** A payment's booking and the provider whose object owns it: the one payments–bookings join. */
const PaymentOwner = z.object({ booking_id: bigintNumber, provider_id: bigintNumber });
export type PaymentOwner = z.infer<typeof PaymentOwner>;
const ownersWhere = (where: string, tail = "") => `
  SELECT y.booking_id, b.provider_id FROM payments y JOIN bookings b ON b.id = y.booking_id
   WHERE ${where}${tail}`;

/**
 * The payment a gateway knows by its reference (a wallet's payment id, a Stripe PaymentIntent), with where its
 * attempt's wallet return sends the browser.
 */
export const PAYMENT_BY_REF = statement({
  params: { gateway: LedgerGateway, ref: z.string() },
  row: PaymentOwner.extend({ return_url: z.string().nullable() }),
  text: `
  SELECT y.booking_id, b.provider_id, y.return_url FROM payments y JOIN bookings b ON b.id = y.booking_id
   WHERE y.gateway = :gateway AND y.gateway_ref = :ref`,
});

/** Payments still in between after :after_s seconds: an approval whose callback never came, an unanswered hold. */
export const PAYMENTS_TO_RECONCILE = statement({
  params: { after_s: int, limit: int },
  row: PaymentOwner,
  text: ownersWhere(
    "y.status = 'requires_action' AND y.updated_at < now() - make_interval(secs => :after_s)",
    " ORDER BY y.updated_at LIMIT :limit",
  ),
});

/** Card holds older than :older_s seconds on confirmed bookings still to come. */
export const HOLDS_TO_RENEW = statement({
  params: { older_s: int, limit: int },
  row: PaymentOwner,
  text: ownersWhere(
    `y.gateway = 'stripe' AND y.status = 'authorized' AND y.authorized_at < now() - make_interval(secs => :older_s)
     AND b.status = 'CONFIRMED' AND b.end_date > now()`,
    " ORDER BY y.authorized_at LIMIT :limit",
  ),
});

/** Records a delivery once; a row back means it was new. */
export const RECORD_WEBHOOK = statement({
  params: { provider: LedgerGateway, event_id: z.string(), event_type: z.string() },
  row: z.object({ fresh: z.literal(1) }),
  text: `
  INSERT INTO webhook_events (provider, event_id, event_type) VALUES (:provider, :event_id, :event_type)
  ON CONFLICT DO NOTHING RETURNING 1 AS fresh`,
});
