-- Notifications: per-user channel preferences and quiet hours, and a delivery log that never holds raw tokens or
-- phone numbers (only their hashes), one row per (event, recipient, channel, target).

ALTER TABLE users
  ADD COLUMN notify_push boolean NOT NULL DEFAULT true,
  ADD COLUMN notify_sms boolean NOT NULL DEFAULT true,
  -- Quiet hours in Asia/Dhaka minutes of the day; start > end wraps past midnight (22:00-07:00 = 1320, 420).
  ADD COLUMN quiet_start_min int CHECK (quiet_start_min BETWEEN 0 AND 1439),
  ADD COLUMN quiet_end_min int CHECK (quiet_end_min BETWEEN 0 AND 1439);

CREATE TABLE notification_deliveries (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid NOT NULL,
  event_type   text NOT NULL,
  booking_id   bigint,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel      text NOT NULL CHECK (channel IN ('push', 'sms')),
  target_hash  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  error        text CHECK (length(error) <= 300),
  attempts     int NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, user_id, channel, target_hash)
);
CREATE TRIGGER notification_deliveries_updated_at BEFORE UPDATE ON notification_deliveries
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX notification_deliveries_booking ON notification_deliveries (booking_id, id);
