-- Payments ledger: one payment per booking, moved only forward by guarded updates, and an append-only history.
CREATE TABLE payments (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id       bigint NOT NULL UNIQUE REFERENCES bookings (id),
  gateway          text NOT NULL CHECK (gateway IN ('cash', 'stripe', 'bkash', 'nagad')),
  status           text NOT NULL CHECK (status IN ('requires_action', 'authorized', 'captured', 'voided', 'refunded', 'failed')),
  currency         text NOT NULL DEFAULT 'BDT',
  amount_poisha    bigint NOT NULL CHECK (amount_poisha >= 0),
  captured_poisha  bigint NOT NULL DEFAULT 0 CHECK (captured_poisha >= 0),
  refunded_poisha  bigint NOT NULL DEFAULT 0 CHECK (refunded_poisha >= 0),
  gateway_ref      text,
  last_error       text CHECK (length(last_error) <= 300),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- Money never moves twice: no capture above the hold, no refund above the capture.
  CONSTRAINT payments_capture_within_hold CHECK (captured_poisha <= amount_poisha),
  CONSTRAINT payments_refund_within_capture CHECK (refunded_poisha <= captured_poisha)
);
CREATE TRIGGER payments_updated_at BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX payments_pending ON payments (status, updated_at) WHERE status IN ('requires_action', 'authorized');

CREATE TABLE payment_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id   bigint NOT NULL REFERENCES payments (id),
  kind         text NOT NULL,
  amount_poisha bigint,
  gateway_ref  text,
  meta         jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);
CREATE TRIGGER payment_events_append_only BEFORE UPDATE OR DELETE ON payment_events
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER payment_events_no_truncate BEFORE TRUNCATE ON payment_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
