-- An ACCEPTED booking the customer never confirms lapses: by its confirm deadline (BOOKING_CONFIRM_WITHIN_H after
-- acceptance, never past the start) the provider's object moves it to EXPIRED, as it expires unanswered PENDING
-- requests at their accept deadline. The deadline is part of the booking's view.
ALTER TABLE bookings ADD COLUMN confirm_deadline timestamptz;

-- Acceptances from before this migration get the default deadline from their last change (the acceptance).
UPDATE bookings SET confirm_deadline = LEAST(updated_at + interval '24 hours', start_date) WHERE status = 'ACCEPTED';

CREATE OR REPLACE FUNCTION booking_view(b bookings) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', b.id,
    'status', b.status,
    'customer_id', b.customer_id,
    'provider_id', b.provider_id,
    'service_type', b.service_type,
    'start_date', iso_utc(b.start_date),
    'end_date', iso_utc(b.end_date),
    'price_poisha', b.price_poisha,
    'unit_price_poisha', b.unit_price_poisha,
    'unit', b.unit,
    'payment_method', b.payment_method,
    'address', b.address,
    'location', CASE WHEN b.location IS NULL THEN NULL
                     ELSE jsonb_build_object('lat', ST_Y(b.location::geometry), 'lng', ST_X(b.location::geometry)) END,
    'notes', b.notes,
    'accept_deadline', iso_utc(b.accept_deadline),
    'confirm_deadline', iso_utc(b.confirm_deadline),
    'canceled_by', b.canceled_by,
    'cancel_reason', b.cancel_reason,
    'fee_poisha', b.fee_poisha,
    'created_at', iso_utc(b.created_at),
    'updated_at', iso_utc(b.updated_at))
$$;
