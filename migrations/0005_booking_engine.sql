-- Booking engine: what a booking needs beyond the seed's columns (quote, payment choice, where, deadlines, outcome).
ALTER TABLE bookings
  ADD COLUMN unit_price_poisha  bigint,
  ADD COLUMN unit               text CHECK (unit IN ('hour', 'day', 'visit')),
  ADD COLUMN payment_method     text NOT NULL DEFAULT 'cash' CHECK (payment_method IN ('cash', 'card', 'bkash', 'nagad')),
  ADD COLUMN payment_method_id  text CHECK (length(payment_method_id) <= 255),
  ADD COLUMN address            text CHECK (length(address) <= 500),
  ADD COLUMN location           geography(Point, 4326),
  ADD COLUMN notes              text CHECK (length(notes) <= 1000),
  ADD COLUMN accept_deadline    timestamptz,
  ADD COLUMN canceled_by        text CHECK (canceled_by IN ('customer', 'provider', 'admin', 'timer')),
  ADD COLUMN cancel_reason      text CHECK (length(cancel_reason) <= 500),
  ADD COLUMN fee_poisha         bigint NOT NULL DEFAULT 0 CHECK (fee_poisha >= 0);

CREATE INDEX bookings_customer_status ON bookings (customer_id, status, id DESC);
CREATE INDEX bookings_pending_deadline ON bookings (provider_id, accept_deadline) WHERE status = 'PENDING';
CREATE INDEX outbox_partition_unpublished ON outbox (partition_key, id) WHERE published_at IS NULL;
