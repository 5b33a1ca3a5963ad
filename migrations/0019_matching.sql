-- Matching: a household's job request, searched for by its own object (one per request), which offers the job to
-- the best free providers in waves until one accepts. The request's object is the one writer of both tables; the
-- winner's booking is made by that provider's booking object like any other booking.

CREATE TABLE job_requests (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id        bigint NOT NULL REFERENCES users (id),
  service_type       text NOT NULL REFERENCES services (service_type),
  location           geography(Point, 4326) NOT NULL,
  address            text CHECK (length(address) <= 500),
  notes              text CHECK (length(notes) <= 1000),
  -- What providers are shown of the notes before one wins: contact details redacted (lib/redact.ts).
  offer_notes        text CHECK (length(offer_notes) <= 2000),
  start_date         timestamptz NOT NULL,
  end_date           timestamptz NOT NULL,
  request_window     tstzrange GENERATED ALWAYS AS (tstzrange(start_date, end_date, '[)')) STORED,
  payment_method     text NOT NULL DEFAULT 'cash' CHECK (payment_method IN ('cash', 'card', 'bkash', 'nagad')),
  payment_method_id  text CHECK (length(payment_method_id) <= 255),
  max_price_poisha   bigint CHECK (max_price_poisha > 0),
  status             text NOT NULL DEFAULT 'SEARCHING'
                     CHECK (status IN ('SEARCHING', 'MATCHED', 'NO_PROVIDER', 'CANCELED')),
  -- The wave in progress (0: none sent yet) and when it ends; the search gives up at search_until.
  wave               int NOT NULL DEFAULT 0 CHECK (wave >= 0),
  wave_ends_at       timestamptz,
  search_until       timestamptz NOT NULL,
  booking_id         bigint UNIQUE REFERENCES bookings (id),
  provider_id        bigint REFERENCES providers (id),
  -- The customer's Idempotency-Key this request was created under: a replay of the create answers this request.
  idempotency_key    text CHECK (length(idempotency_key) <= 255),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  closed_at          timestamptz,
  CONSTRAINT job_requests_window_positive CHECK (end_date > start_date),
  CONSTRAINT job_requests_matched_booking CHECK ((status = 'MATCHED') = (booking_id IS NOT NULL)),
  CONSTRAINT job_requests_closed_consistent CHECK ((status = 'SEARCHING') = (closed_at IS NULL))
);
CREATE TRIGGER job_requests_updated_at BEFORE UPDATE ON job_requests FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- The per-customer cap counts these; the cron's sweep finds searches whose object fell behind.
CREATE INDEX job_requests_customer_searching ON job_requests (customer_id) WHERE status = 'SEARCHING';
CREATE INDEX job_requests_searching_due ON job_requests (wave_ends_at) WHERE status = 'SEARCHING';
CREATE INDEX job_requests_customer_key ON job_requests (customer_id, idempotency_key);

CREATE TABLE job_offers (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id      bigint NOT NULL REFERENCES job_requests (id),
  provider_id     bigint NOT NULL REFERENCES providers (id),
  wave            int NOT NULL CHECK (wave > 0),
  rank            int NOT NULL CHECK (rank > 0),
  score           double precision NOT NULL,
  distance_m      double precision NOT NULL CHECK (distance_m >= 0),
  -- The quote for the request's window at the provider's price when the offer was made.
  price_poisha    bigint NOT NULL CHECK (price_poisha >= 0),
  unit            text NOT NULL CHECK (unit IN ('hour', 'day', 'visit')),
  status          text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn', 'unavailable')),
  expires_at      timestamptz NOT NULL,
  responded_at    timestamptz,
  decline_reason  text CHECK (length(decline_reason) <= 500),
  booking_id      bigint REFERENCES bookings (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- A provider is asked at most once per request.
  CONSTRAINT job_offers_once UNIQUE (request_id, provider_id),
  CONSTRAINT job_offers_accepted_booking CHECK ((status = 'accepted') = (booking_id IS NOT NULL))
);
CREATE TRIGGER job_offers_updated_at BEFORE UPDATE ON job_offers FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- Exactly one winner per request, whatever the code above it does.
CREATE UNIQUE INDEX job_offers_one_winner ON job_offers (request_id) WHERE status = 'accepted';
CREATE INDEX job_offers_request_open ON job_offers (request_id) WHERE status = 'open';
-- A provider's offers, newest first; and their recent load, which ranking counts.
CREATE INDEX job_offers_provider ON job_offers (provider_id, id DESC);
CREATE INDEX job_offers_provider_recent ON job_offers (provider_id, created_at);

-- The request as its customer sees it: no offers, no providers, nothing about who declined.
CREATE FUNCTION job_request_view(r job_requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', r.id,
    'status', r.status,
    'service_type', r.service_type,
    'location', jsonb_build_object('lat', ST_Y(r.location::geometry), 'lng', ST_X(r.location::geometry)),
    'address', r.address,
    'notes', r.notes,
    'start_date', iso_utc(r.start_date),
    'end_date', iso_utc(r.end_date),
    'payment_method', r.payment_method,
    'max_price_poisha', r.max_price_poisha,
    'booking_id', r.booking_id,
    'search_ends_at', iso_utc(r.search_until),
    'closed_at', iso_utc(r.closed_at),
    'created_at', iso_utc(r.created_at),
    'updated_at', iso_utc(r.updated_at))
$$;

-- An offer as its provider sees it: the job, its pay, how far, roughly where (a ~1 km grid), the notes with contact
-- details removed; never the customer, their address or their exact point.
CREATE FUNCTION job_offer_view(o job_offers, r job_requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', o.id,
    'request_id', o.request_id,
    'status', o.status,
    'service_type', r.service_type,
    'start_date', iso_utc(r.start_date),
    'end_date', iso_utc(r.end_date),
    'price_poisha', o.price_poisha,
    'unit', o.unit,
    'payment_method', r.payment_method,
    'distance_m', (round(o.distance_m / 100) * 100)::int,
    'approx_location', jsonb_build_object('lat', round(ST_Y(r.location::geometry)::numeric, 2),
                                          'lng', round(ST_X(r.location::geometry)::numeric, 2)),
    'notes', r.offer_notes,
    'expires_at', iso_utc(o.expires_at),
    'responded_at', iso_utc(o.responded_at),
    'booking_id', o.booking_id,
    'created_at', iso_utc(o.created_at))
$$;
