-- The API's view of a booking, built in one place that every statement can use: RETURNING booking_view(b) lets a
-- single statement both change a booking and store the exact answer under the caller's idempotency key.
CREATE FUNCTION iso_utc(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE FUNCTION booking_view(b bookings) RETURNS jsonb LANGUAGE sql STABLE AS $$
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
    'canceled_by', b.canceled_by,
    'cancel_reason', b.cancel_reason,
    'fee_poisha', b.fee_poisha,
    'created_at', iso_utc(b.created_at),
    'updated_at', iso_utc(b.updated_at))
$$;

-- A claimed key whose answer never arrived (the process died before its one statement committed) may be taken
-- over after this long: that statement is atomic, so no effect happened.
CREATE INDEX idempotency_keys_pending ON idempotency_keys (created_at) WHERE response_code IS NULL;
