-- Webhooks seen, by provider and event id: a redelivered (or replayed) event is acknowledged but never applied twice.
CREATE TABLE webhook_events (
  provider     text NOT NULL CHECK (provider IN ('stripe', 'bkash', 'nagad')),
  event_id     text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
  event_type   text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);
