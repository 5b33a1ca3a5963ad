-- Providers: weekly schedules and time off (availability), KYC review with an append-only admin audit,
-- and booking statuses for decline and expiry.

-- Weekly availability in Asia/Dhaka local time as minute-of-week ranges (0 = Monday 00:00). Each interval is stored
-- twice, as is and shifted one week later, and merged, so a window that wraps past Sunday midnight is still one
-- containment test: week_minutes @> int4range(start, start + duration).
CREATE TABLE provider_schedule (
  provider_id   bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  week_minutes  int4range NOT NULL CHECK (lower(week_minutes) >= 0 AND upper(week_minutes) <= 20160),
  EXCLUDE USING gist (provider_id WITH =, week_minutes WITH &&)
);

-- The weekly plan as the provider entered it, for display and editing.
ALTER TABLE providers ADD COLUMN weekly_schedule jsonb NOT NULL DEFAULT '[]';

CREATE TABLE provider_time_off (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_id  bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  period       tstzrange NOT NULL CHECK (NOT isempty(period)),
  reason       text CHECK (length(reason) <= 200)
);
CREATE INDEX provider_time_off_period ON provider_time_off USING gist (provider_id, period);

-- DECLINED (by the provider) and EXPIRED (unanswered) are their own terminal statuses, distinct from CANCELED.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
  CHECK (status IN ('PENDING', 'ACCEPTED', 'CONFIRMED', 'COMPLETED', 'CANCELED', 'DECLINED', 'EXPIRED'));

CREATE TABLE kyc_submissions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_id    bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  nid_number     text NOT NULL CHECK (nid_number ~ '^([0-9]{10}|[0-9]{13}|[0-9]{17})$'),
  documents      jsonb NOT NULL,  -- {nid_front, nid_back, selfie}: object keys in the KYC bucket
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  submitted_at   timestamptz NOT NULL DEFAULT now(),
  reviewed_by    bigint REFERENCES users (id),
  reviewed_at    timestamptz,
  reason         text CHECK (length(reason) <= 500)
);
-- At most one submission waits for review per provider.
CREATE UNIQUE INDEX kyc_one_pending ON kyc_submissions (provider_id) WHERE status = 'pending';

CREATE TABLE admin_audit (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  admin_id     bigint NOT NULL REFERENCES users (id),
  action       text NOT NULL,
  target_type  text NOT NULL,
  target_id    text NOT NULL,
  meta         jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();

-- Search: provider_services is filtered by service first, then joined to verified providers near the point.
CREATE INDEX provider_services_type_price ON provider_services (service_type, price_poisha);
