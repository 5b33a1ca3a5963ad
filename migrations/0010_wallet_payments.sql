-- Wallet payments (bKash, Nagad) and hold renewal: a payment can take several attempts (a wallet session the
-- customer abandoned, a declined card), each with its own gateway reference; the approval page waits in action_url.
ALTER TABLE payments
  ADD COLUMN attempts      int NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  ADD COLUMN gateway_txn   text,
  ADD COLUMN action_url    text CHECK (length(action_url) <= 2000),
  ADD COLUMN authorized_at timestamptz;

-- Callbacks and the reconciler find a payment by what the gateway calls it.
CREATE UNIQUE INDEX payments_gateway_ref ON payments (gateway, gateway_ref) WHERE gateway_ref IS NOT NULL;
-- Card holds to renew before they lapse.
CREATE INDEX payments_holds ON payments (authorized_at) WHERE status = 'authorized' AND gateway = 'stripe';
