-- Provider earnings and payouts: a double-entry journal that the database keeps balanced and in step with the
-- money tables, commission by service type, disputes, payout accounts and payouts.
--
-- The journal is written by triggers, never by application code: every change of a payment (its history row in
-- payment_events), of a booking's status and of a payout posts the entry that brings the journal to what that row
-- now says. So the journal cannot miss a capture, a refund or a payout, and it has exactly the writers of those
-- tables: the provider's object. Each entry's lines sum to zero, checked by a deferred constraint trigger at commit.
--
-- Signs: a line's amount is positive for a debit and negative for a credit. Assets (gateway_clearing: money the
-- gateways hold for us; provider_cash_owed: commission a provider collected in cash and owes us) carry debit
-- balances; liabilities and revenue (customer_escrow, provider_payable, payouts_in_flight, platform_revenue) credit
-- balances. payout_funding is money that left us (a bKash disbursement, a bank transfer).

-- Commission by service type, in basis points of what the platform keeps (production defaults; ops may change them,
-- and a booking keeps the rate it was first settled at).
CREATE TABLE service_commissions (
  service_type  text PRIMARY KEY REFERENCES services (service_type),
  rate_bps      int NOT NULL CHECK (rate_bps BETWEEN 0 AND 5000)
);
INSERT INTO service_commissions (service_type, rate_bps)
SELECT service_type, CASE service_type WHEN 'driver' THEN 1200 WHEN 'electrician' THEN 1500 ELSE 1000 END
  FROM services;

CREATE TABLE booking_commissions (
  booking_id  bigint PRIMARY KEY REFERENCES bookings (id),
  rate_bps    int NOT NULL CHECK (rate_bps BETWEEN 0 AND 5000)
);

-- When a booking reached its end (COMPLETED, or cancelled with money kept): the dispute window counts from here.
ALTER TABLE bookings ADD COLUMN ended_at timestamptz;
CREATE FUNCTION set_ended_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('COMPLETED', 'CANCELED', 'DECLINED', 'EXPIRED') AND OLD.status IS DISTINCT FROM NEW.status THEN
    NEW.ended_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bookings_ended_at BEFORE UPDATE OF status ON bookings FOR EACH ROW EXECUTE FUNCTION set_ended_at();

CREATE TABLE payout_accounts (
  provider_id     bigint PRIMARY KEY REFERENCES providers (id),
  method          text NOT NULL CHECK (method IN ('bkash', 'bank')),
  msisdn          text CHECK (msisdn ~ '^\+8801[3-9][0-9]{8}$'),
  bank_name       text CHECK (length(bank_name) <= 100),
  branch_routing  text CHECK (branch_routing ~ '^[0-9]{9}$'),
  account_number  text CHECK (account_number ~ '^[0-9]{6,20}$'),
  account_name    text CHECK (length(account_name) BETWEEN 1 AND 120),
  verified_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payout_accounts_shape CHECK (
    (method = 'bkash' AND msisdn IS NOT NULL) OR
    (method = 'bank' AND branch_routing IS NOT NULL AND account_number IS NOT NULL AND account_name IS NOT NULL))
);
CREATE TRIGGER payout_accounts_updated_at BEFORE UPDATE ON payout_accounts FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One payout: what a provider is sent. The invoice number is stored before the gateway is called and is the
-- gateway's idempotency handle. At most one payout per provider is open at a time. settled_cash_poisha is cash
-- commission netted from the earnings in the same payout.
CREATE TABLE payouts (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_id          bigint NOT NULL REFERENCES providers (id),
  method               text NOT NULL CHECK (method IN ('bkash', 'bank')),
  amount_poisha        bigint NOT NULL CHECK (amount_poisha >= 0),
  settled_cash_poisha  bigint NOT NULL DEFAULT 0 CHECK (settled_cash_poisha >= 0),
  status               text NOT NULL CHECK (status IN ('requires_approval', 'pending', 'unknown', 'sent', 'failed', 'netted')),
  invoice              text NOT NULL UNIQUE CHECK (invoice ~ '^[A-Z0-9-]{8,40}$'),
  gateway_trx          text,
  error                text CHECK (length(error) <= 300),
  run_id               bigint,
  approved_by          bigint REFERENCES users (id),
  attempts             int NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payouts_something CHECK (amount_poisha > 0 OR settled_cash_poisha > 0)
);
CREATE UNIQUE INDEX payouts_one_open ON payouts (provider_id) WHERE status IN ('requires_approval', 'pending', 'unknown');
CREATE INDEX payouts_provider ON payouts (provider_id, id DESC);
CREATE INDEX payouts_status ON payouts (status, updated_at) WHERE status IN ('requires_approval', 'pending', 'unknown');
CREATE TRIGGER payouts_updated_at BEFORE UPDATE ON payouts FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A scheduled run claims its slot here, so two crons (or a cron and an admin) never start the same weekly run.
CREATE TABLE payout_runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('scheduled', 'manual')),
  started_by  bigint REFERENCES users (id),
  started_at  timestamptz NOT NULL DEFAULT now()
);

-- A customer's dispute of a completed booking, inside the window: it freezes that booking's earnings.
CREATE TABLE disputes (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id     bigint NOT NULL REFERENCES bookings (id),
  opened_by      bigint NOT NULL REFERENCES users (id),
  reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution     text CHECK (resolution IN ('release', 'partial_refund', 'full_refund')),
  refund_poisha  bigint CHECK (refund_poisha >= 0),
  resolved_by    bigint REFERENCES users (id),
  resolved_at    timestamptz,
  -- The admin whose refund key the resolution's refund runs under: a retry by anyone replays that one refund.
  refund_actor   bigint REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT disputes_resolution_consistent CHECK ((status = 'open') = (resolution IS NULL))
);
CREATE UNIQUE INDEX disputes_one_per_booking ON disputes (booking_id);

-- ---- The journal ------------------------------------------------------------------------------------------------

CREATE TABLE ledger_entries (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 80),
  booking_id   bigint REFERENCES bookings (id),
  payout_id    bigint REFERENCES payouts (id),
  provider_id  bigint REFERENCES providers (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ledger_entries_one_subject CHECK ((booking_id IS NULL) <> (payout_id IS NULL))
);

CREATE TABLE ledger_lines (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id       bigint NOT NULL REFERENCES ledger_entries (id),
  account        text NOT NULL CHECK (account IN ('customer_escrow', 'provider_payable', 'provider_cash_owed',
                   'platform_revenue', 'gateway_clearing', 'payouts_in_flight', 'payout_funding')),
  -- gateway_clearing and payout_funding: which gateway (stripe, bkash, nagad; bank for payout_funding).
  gateway        text CHECK (gateway IN ('stripe', 'bkash', 'nagad', 'bank')),
  provider_id    bigint REFERENCES providers (id),
  booking_id     bigint REFERENCES bookings (id),
  payout_id      bigint REFERENCES payouts (id),
  amount_poisha  bigint NOT NULL CHECK (amount_poisha <> 0),
  CONSTRAINT ledger_lines_provider CHECK (
    (account IN ('provider_payable', 'provider_cash_owed', 'payouts_in_flight')) = (provider_id IS NOT NULL)),
  CONSTRAINT ledger_lines_gateway CHECK ((account IN ('gateway_clearing', 'payout_funding')) = (gateway IS NOT NULL))
);
CREATE INDEX ledger_lines_entry ON ledger_lines (entry_id);
CREATE INDEX ledger_lines_booking ON ledger_lines (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX ledger_lines_payout ON ledger_lines (payout_id) WHERE payout_id IS NOT NULL;
CREATE INDEX ledger_lines_provider ON ledger_lines (provider_id, account) WHERE provider_id IS NOT NULL;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER ledger_lines_no_truncate BEFORE TRUNCATE ON ledger_lines
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();

-- Every entry balances: checked once per entry at commit, whoever wrote the lines.
CREATE FUNCTION ledger_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total bigint;
BEGIN
  SELECT coalesce(sum(amount_poisha), 0) INTO total FROM ledger_lines WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger entry % does not balance: its lines sum to %', NEW.entry_id, total
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_entry_balances';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_lines_balance AFTER INSERT ON ledger_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balances();

/**
 * Posts one entry that moves the lines of one subject (a booking or a payout) from what the journal holds to
 * `target` (account, gateway, provider, amount): the difference, line by line. Both sum to zero, so the entry does.
 */
CREATE FUNCTION ledger_post(p_kind text, p_booking bigint, p_payout bigint, p_provider bigint, target jsonb)
RETURNS void LANGUAGE sql AS $$
  WITH delta AS (
    SELECT account, gateway, provider_id, sum(amount)::bigint AS amount FROM (
      SELECT t.account, t.gateway, t.provider_id, t.amount
        FROM jsonb_to_recordset(target) AS t(account text, gateway text, provider_id bigint, amount bigint)
      UNION ALL
      SELECT l.account, l.gateway, l.provider_id, -l.amount_poisha
        FROM ledger_lines l
       WHERE (p_booking IS NOT NULL AND l.booking_id = p_booking) OR (p_payout IS NOT NULL AND l.payout_id = p_payout)
    ) x GROUP BY account, gateway, provider_id HAVING sum(amount) <> 0
  ), entry AS (
    INSERT INTO ledger_entries (kind, booking_id, payout_id, provider_id)
    SELECT p_kind, p_booking, p_payout, p_provider WHERE EXISTS (SELECT 1 FROM delta)
    RETURNING id
  )
  INSERT INTO ledger_lines (entry_id, account, gateway, provider_id, booking_id, payout_id, amount_poisha)
  SELECT entry.id, d.account, d.gateway, d.provider_id, p_booking, p_payout, d.amount FROM delta d, entry
$$;

/** Commission on `amount` at `bps`, rounded half up (amounts are never negative here). */
CREATE FUNCTION commission_of(amount bigint, bps int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT (amount * bps + 5000) / 10000
$$;

/**
 * What a booking's money should look like in the journal now. Money the gateway took and has not given back (net)
 * sits in escrow while the booking is open; once it ended (completed, or cancelled with a fee kept) it belongs to
 * the provider less the commission, and the commission to the platform. A cash job moves no money through us: at
 * completion the provider owes the commission on the price.
 */
CREATE FUNCTION ledger_sync_booking(p_booking bigint, p_kind text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  b bookings;
  pay payments;
  net bigint;
  bps int;
  cut bigint;
  target jsonb := '[]';
BEGIN
  SELECT * INTO b FROM bookings WHERE id = p_booking;
  SELECT * INTO pay FROM payments WHERE booking_id = p_booking;
  IF b.id IS NULL OR pay.id IS NULL THEN RETURN; END IF;
  net := pay.captured_poisha - pay.refunded_poisha;
  IF b.status IN ('COMPLETED', 'CANCELED', 'DECLINED', 'EXPIRED') AND (net > 0 OR pay.gateway = 'cash') THEN
    INSERT INTO booking_commissions (booking_id, rate_bps)
    SELECT p_booking, coalesce((SELECT rate_bps FROM service_commissions WHERE service_type = b.service_type), 1000)
    ON CONFLICT (booking_id) DO NOTHING;
  END IF;
  SELECT rate_bps INTO bps FROM booking_commissions WHERE booking_id = p_booking;
  IF pay.gateway = 'cash' THEN
    IF b.status = 'COMPLETED' AND net > 0 THEN
      cut := commission_of(net, bps);
      target := jsonb_build_array(
        jsonb_build_object('account', 'provider_cash_owed', 'provider_id', b.provider_id, 'amount', cut),
        jsonb_build_object('account', 'platform_revenue', 'amount', -cut));
    END IF;
  ELSIF net <> 0 THEN
    target := jsonb_build_array(jsonb_build_object('account', 'gateway_clearing', 'gateway', pay.gateway, 'amount', net));
    IF b.status IN ('COMPLETED', 'CANCELED', 'DECLINED', 'EXPIRED') THEN
      cut := commission_of(net, bps);
      target := target
        || jsonb_build_object('account', 'provider_payable', 'provider_id', b.provider_id, 'amount', -(net - cut))
        || jsonb_build_object('account', 'platform_revenue', 'amount', -cut);
    ELSE
      target := target || jsonb_build_object('account', 'customer_escrow', 'amount', -net);
    END IF;
  END IF;
  PERFORM ledger_post(p_kind, p_booking, NULL, b.provider_id, target);
END $$;

/**
 * What a payout should look like in the journal: reserved (in flight) while open, gone (funded) once sent, nothing
 * once failed; the cash commission it netted is settled whatever happens to the transfer.
 */
CREATE FUNCTION ledger_sync_payout(p_payout bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o payouts;
  target jsonb := '[]';
BEGIN
  SELECT * INTO o FROM payouts WHERE id = p_payout;
  IF o.settled_cash_poisha > 0 THEN
    target := target
      || jsonb_build_object('account', 'provider_payable', 'provider_id', o.provider_id, 'amount', o.settled_cash_poisha)
      || jsonb_build_object('account', 'provider_cash_owed', 'provider_id', o.provider_id, 'amount', -o.settled_cash_poisha);
  END IF;
  IF o.amount_poisha > 0 AND o.status IN ('requires_approval', 'pending', 'unknown') THEN
    target := target
      || jsonb_build_object('account', 'provider_payable', 'provider_id', o.provider_id, 'amount', o.amount_poisha)
      || jsonb_build_object('account', 'payouts_in_flight', 'provider_id', o.provider_id, 'amount', -o.amount_poisha);
  ELSIF o.amount_poisha > 0 AND o.status = 'sent' THEN
    target := target
      || jsonb_build_object('account', 'provider_payable', 'provider_id', o.provider_id, 'amount', o.amount_poisha)
      || jsonb_build_object('account', 'payout_funding', 'gateway', o.method, 'amount', -o.amount_poisha);
  END IF;
  PERFORM ledger_post('payout.' || o.status, NULL, p_payout, o.provider_id, target);
END $$;

CREATE FUNCTION ledger_on_payment_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_sync_booking((SELECT booking_id FROM payments WHERE id = NEW.payment_id), 'payment.' || NEW.kind);
  RETURN NULL;
END $$;
CREATE TRIGGER payment_events_ledger AFTER INSERT ON payment_events
  FOR EACH ROW EXECUTE FUNCTION ledger_on_payment_event();

CREATE FUNCTION ledger_on_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_sync_booking(NEW.id, 'booking.' || lower(NEW.status));
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_ledger AFTER UPDATE OF status ON bookings
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION ledger_on_booking();

CREATE FUNCTION ledger_on_payout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_sync_payout(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER payouts_ledger AFTER INSERT OR UPDATE OF status, amount_poisha, settled_cash_poisha ON payouts
  FOR EACH ROW EXECUTE FUNCTION ledger_on_payout();

/**
 * A provider's balances, derived from the journal alone (nothing cached): what we owe them by a booking's earnings
 * is pending inside the dispute window after the booking ended, frozen while a dispute is open, and available after;
 * payouts (in flight or sent) and cash settlements count against available. owed: cash commission not yet settled.
 */
CREATE FUNCTION provider_balances(p_provider bigint, p_window_s int)
RETURNS TABLE (available bigint, pending bigint, frozen bigint, owed bigint, in_flight bigint)
LANGUAGE sql STABLE AS $$
  WITH payable AS (
    SELECT l.booking_id, -sum(l.amount_poisha) AS amount
      FROM ledger_lines l
     WHERE l.provider_id = p_provider AND l.account = 'provider_payable'
     GROUP BY l.booking_id
  ), classed AS (
    SELECT p.amount,
           CASE WHEN p.booking_id IS NULL THEN 'available'
                WHEN EXISTS (SELECT 1 FROM disputes d WHERE d.booking_id = p.booking_id AND d.status = 'open')
                  THEN 'frozen'
                WHEN (SELECT b.ended_at FROM bookings b WHERE b.id = p.booking_id)
                     > now() - make_interval(secs => p_window_s) THEN 'pending'
                ELSE 'available' END AS class
      FROM payable p
  )
  SELECT coalesce(sum(amount) FILTER (WHERE class = 'available'), 0)::bigint,
         coalesce(sum(amount) FILTER (WHERE class = 'pending'), 0)::bigint,
         coalesce(sum(amount) FILTER (WHERE class = 'frozen'), 0)::bigint,
         (SELECT coalesce(sum(amount_poisha), 0) FROM ledger_lines
           WHERE provider_id = p_provider AND account = 'provider_cash_owed')::bigint,
         (SELECT coalesce(-sum(amount_poisha), 0) FROM ledger_lines
           WHERE provider_id = p_provider AND account = 'payouts_in_flight')::bigint
    FROM classed
$$;
