-- Reviews and reputation: two-sided, double-blind reviews of completed bookings, published in one place
-- (publish_reviews) when both sides have written or the window closes, with the provider's rating aggregates in the
-- same transaction; reliability figures and a trust score per provider, recomputed whenever their inputs change.
-- Lengths of time (the window, the reply's edit period) and the Bayesian prior are configuration: the statements
-- that need them take them as parameters (platform/config.ts), none is written here.

-- A review window per completed booking, opened by the completing statement itself (the trigger below), so no
-- completion goes without one. It closes REVIEW_WINDOW_DAYS after completed_at; published_at marks it closed
-- (both reviews published, or the window ran out).
CREATE TABLE review_windows (
  booking_id    bigint PRIMARY KEY REFERENCES bookings (id),
  provider_id   bigint NOT NULL REFERENCES providers (id),
  customer_id   bigint NOT NULL REFERENCES users (id),
  completed_at  timestamptz NOT NULL,
  requested_at  timestamptz,  -- review.requested is in the outbox
  reminded_at   timestamptz,  -- review.reminder is in the outbox
  published_at  timestamptz
);
CREATE INDEX review_windows_open ON review_windows (completed_at) WHERE published_at IS NULL;
CREATE INDEX review_windows_unrequested ON review_windows (completed_at) WHERE requested_at IS NULL;

CREATE TABLE reviews (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id       bigint NOT NULL REFERENCES review_windows (booking_id),
  author_role      text NOT NULL CHECK (author_role IN ('customer', 'provider')),
  author_id        bigint NOT NULL REFERENCES users (id),
  subject_id       bigint NOT NULL REFERENCES users (id),
  provider_id      bigint NOT NULL REFERENCES providers (id),
  rating           smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  punctuality      smallint CHECK (punctuality BETWEEN 1 AND 5),
  quality          smallint CHECK (quality BETWEEN 1 AND 5),
  behaviour        smallint CHECK (behaviour BETWEEN 1 AND 5),
  -- After the contact-detail redactor (lib/redact.ts); markers can make it a little longer than the 1 000 typed.
  body             text CHECK (length(body) <= 2000),
  -- How many contact details of each kind the redactor removed (counts only, never what they were).
  redactions       jsonb NOT NULL DEFAULT '{}',
  -- The public face of the reviewer, taken at submission: a first name and the area of the job.
  reviewer_name    text CHECK (length(reviewer_name) <= 120),
  reviewer_area    text CHECK (length(reviewer_area) <= 120),
  flags            text[] NOT NULL DEFAULT '{}' CHECK (flags <@ ARRAY['burst']::text[]),
  created_at       timestamptz NOT NULL DEFAULT now(),
  published_at     timestamptz,
  hidden_at        timestamptz,
  hidden_by        bigint REFERENCES users (id),
  hidden_reason    text CHECK (length(hidden_reason) <= 500),
  -- An admin looked at the reports and flags and kept it; a new report opens it again.
  moderated_at     timestamptz,
  reply_body       text CHECK (length(reply_body) <= 2000),
  reply_at         timestamptz,
  reply_edited_at  timestamptz,
  UNIQUE (booking_id, author_role),
  CONSTRAINT reviews_sub_ratings_customer_only
    CHECK (author_role = 'customer' OR (punctuality IS NULL AND quality IS NULL AND behaviour IS NULL)),
  CONSTRAINT reviews_reply_to_customer_review CHECK (reply_body IS NULL OR author_role = 'customer'),
  CONSTRAINT reviews_hide_published CHECK (hidden_at IS NULL OR published_at IS NOT NULL)
);
-- The public list: a provider's published, visible reviews, newest first.
CREATE INDEX reviews_provider_public ON reviews (provider_id, published_at DESC, id DESC)
  WHERE author_role = 'customer' AND published_at IS NOT NULL AND hidden_at IS NULL;
-- A customer's rating summary (what providers see before accepting) and the burst guard's look-back.
CREATE INDEX reviews_subject ON reviews (subject_id) WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX reviews_provider_recent ON reviews (provider_id, created_at) WHERE author_role = 'customer';
CREATE INDEX reviews_moderation ON reviews (id) WHERE hidden_at IS NULL AND moderated_at IS NULL;

-- Kept, never deleted: a hidden review stays. What a reviewer wrote never changes after submission, and a
-- publication is never undone or repeated (published_at, once set, stays).
CREATE FUNCTION reviews_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.booking_id, NEW.author_role, NEW.author_id, NEW.subject_id, NEW.provider_id, NEW.rating, NEW.punctuality,
      NEW.quality, NEW.behaviour, NEW.body, NEW.redactions, NEW.created_at)
     IS DISTINCT FROM
     (OLD.booking_id, OLD.author_role, OLD.author_id, OLD.subject_id, OLD.provider_id, OLD.rating, OLD.punctuality,
      OLD.quality, OLD.behaviour, OLD.body, OLD.redactions, OLD.created_at)
     OR (OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at) THEN
    RAISE EXCEPTION 'reviews: what was written and when it was published never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER reviews_guard BEFORE UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_guard();
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON reviews FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();

-- Either party of the booking may report a published review, once each.
CREATE TABLE review_reports (
  review_id    bigint NOT NULL REFERENCES reviews (id),
  reporter_id  bigint NOT NULL REFERENCES users (id),
  reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (review_id, reporter_id)
);

-- The shared-device guard compares every session the two parties ever had, revoked ones included.
CREATE INDEX auth_sessions_user_device ON auth_sessions (user_id, device_id);

-- ---- aggregates ---------------------------------------------------------------------------------------------

-- rating_avg is the Bayesian rating (prior weight m, mean C), rating_count and rating_sum the reviews it counts.
-- A provider without reviews stands at the prior mean (the documented default C = 4.00).
ALTER TABLE providers
  ADD COLUMN rating_sum int NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
  ADD COLUMN trust_score numeric(5, 2) NOT NULL DEFAULT 0 CHECK (trust_score BETWEEN 0 AND 100),
  ALTER COLUMN rating_avg SET DEFAULT 4.00;

-- The inputs of the trust score as lib/reputation.ts last read them (figures with their sample sizes), and the score.
CREATE TABLE provider_reputation (
  provider_id  bigint PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
  inputs       jsonb NOT NULL,
  trust_score  numeric(5, 2) NOT NULL CHECK (trust_score BETWEEN 0 AND 100),
  computed_at  timestamptz NOT NULL
);
CREATE INDEX provider_reputation_age ON provider_reputation (computed_at);

-- Providers whose trust inputs changed since their score was computed. A change takes a fresh seq; the refresh
-- deletes a row only if its seq is still the one it read, so a change during a refresh is never lost.
CREATE SEQUENCE reputation_change_seq;
CREATE TABLE reputation_dirty (
  provider_id  bigint PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
  seq          bigint NOT NULL DEFAULT nextval('reputation_change_seq'),
  marked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reputation_dirty_marked ON reputation_dirty (marked_at);

CREATE FUNCTION mark_reputation_dirty(pid bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO reputation_dirty (provider_id) VALUES (pid)
  ON CONFLICT (provider_id) DO UPDATE SET seq = nextval('reputation_change_seq');
$$;

-- A booking step that changes a reliability figure marks its provider; a completion also opens the review window.
CREATE FUNCTION bookings_reputation_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'COMPLETED' THEN
    INSERT INTO review_windows (booking_id, provider_id, customer_id, completed_at)
    VALUES (NEW.id, NEW.provider_id, NEW.customer_id, now()) ON CONFLICT DO NOTHING;
  END IF;
  PERFORM mark_reputation_dirty(NEW.provider_id);
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_reputation AFTER UPDATE OF status ON bookings FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
        AND NEW.status IN ('ACCEPTED', 'DECLINED', 'EXPIRED', 'CANCELED', 'COMPLETED'))
  EXECUTE FUNCTION bookings_reputation_trigger();

-- A new provider, and a verification decision (KYC is an input), need a score too.
CREATE FUNCTION providers_reputation_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_reputation_dirty(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER providers_reputation_new AFTER INSERT ON providers FOR EACH ROW
  EXECUTE FUNCTION providers_reputation_trigger();
CREATE TRIGGER providers_reputation_verified AFTER UPDATE OF verification_status ON providers FOR EACH ROW
  WHEN (OLD.verification_status IS DISTINCT FROM NEW.verification_status)
  EXECUTE FUNCTION providers_reputation_trigger();
INSERT INTO reputation_dirty (provider_id) SELECT id FROM providers;

-- Completions before this migration: their windows, already announced (no review.requested for old jobs).
INSERT INTO review_windows (booking_id, provider_id, customer_id, completed_at, requested_at, reminded_at)
SELECT b.id, b.provider_id, b.customer_id,
       COALESCE((SELECT max(a.created_at) FROM audit_log a WHERE a.booking_id = b.id AND a.to_status = 'COMPLETED'),
                b.updated_at),
       now(), now()
  FROM bookings b WHERE b.status = 'COMPLETED';

-- Search ranks by the trust score (sort=relevance): the listing carries it, kept in step by the same trigger.
ALTER TABLE search_listings ADD COLUMN trust_score numeric(5, 2) NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION sync_listings_for_provider(pid bigint) RETURNS void LANGUAGE sql AS $$
  DELETE FROM search_listings l
   WHERE l.provider_id = pid
     AND NOT EXISTS (SELECT 1 FROM provider_services s WHERE s.provider_id = pid AND s.service_type = l.service_type);
  INSERT INTO search_listings (provider_id, service_type, display_name, price_poisha, unit, rating_avg, rating_count,
                               trust_score, location, service_radius_m, verified)
  SELECT p.id, s.service_type, p.display_name, s.price_poisha, s.unit, p.rating_avg, p.rating_count, p.trust_score,
         public_point(p.id, p.location), p.service_radius_km * 1000, p.verification_status = 'verified'
    FROM providers p JOIN provider_services s ON s.provider_id = p.id
   WHERE p.id = pid
  ON CONFLICT (provider_id, service_type) DO UPDATE SET
    display_name = EXCLUDED.display_name, price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit,
    rating_avg = EXCLUDED.rating_avg, rating_count = EXCLUDED.rating_count, trust_score = EXCLUDED.trust_score,
    location = EXCLUDED.location, service_radius_m = EXCLUDED.service_radius_m, verified = EXCLUDED.verified;
$$;

DROP TRIGGER providers_sync_listings ON providers;
CREATE TRIGGER providers_sync_listings AFTER UPDATE OF display_name, location, service_radius_km,
  verification_status, rating_avg, rating_count, trust_score ON providers
  FOR EACH ROW EXECUTE FUNCTION sync_listings_trigger();

-- ---- the review as the API shows it ------------------------------------------------------------------------

CREATE FUNCTION review_view(r reviews) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', r.id,
    'booking_id', r.booking_id,
    'author_role', r.author_role,
    'rating', r.rating,
    'ratings', CASE WHEN r.author_role = 'customer'
                         AND (r.punctuality IS NOT NULL OR r.quality IS NOT NULL OR r.behaviour IS NOT NULL)
                    THEN jsonb_build_object('punctuality', r.punctuality, 'quality', r.quality, 'behaviour', r.behaviour)
               END,
    'text', r.body,
    'redacted', r.redactions <> '{}'::jsonb,
    'created_at', iso_utc(r.created_at),
    'published_at', iso_utc(r.published_at),
    'hidden', r.hidden_at IS NOT NULL,
    'reply', CASE WHEN r.reply_body IS NOT NULL
                  THEN jsonb_build_object('text', r.reply_body, 'created_at', iso_utc(r.reply_at),
                                          'edited_at', iso_utc(r.reply_edited_at))
             END)
$$;

-- ---- publication: the one place --------------------------------------------------------------------------

-- A provider's rating aggregates from their counted reviews: published, not hidden, of a booking whose money was
-- kept (paid, or recorded as due for cash; a full refund takes the job out). Providers with neither reviews nor a
-- count keep the prior; sample data with a count but no reviews is left as it is. True when something changed.
CREATE FUNCTION refresh_provider_rating(pid bigint, prior_weight numeric, prior_mean numeric) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  n int;
  s int;
  changed int;
BEGIN
  SELECT count(*), COALESCE(sum(r.rating), 0) INTO n, s
    FROM reviews r JOIN payments y ON y.booking_id = r.booking_id
   WHERE r.provider_id = pid AND r.author_role = 'customer' AND r.published_at IS NOT NULL AND r.hidden_at IS NULL
     AND y.captured_poisha > y.refunded_poisha;
  UPDATE providers p
     SET rating_count = n, rating_sum = s, rating_avg = round((prior_weight * prior_mean + s) / (prior_weight + n), 2)
   WHERE p.id = pid
     AND (n > 0 OR p.rating_count = 0
          OR EXISTS (SELECT 1 FROM reviews x WHERE x.provider_id = pid AND x.author_role = 'customer'))
     AND (p.rating_count, p.rating_sum, p.rating_avg)
         IS DISTINCT FROM (n, s, round((prior_weight * prior_mean + s) / (prior_weight + n), 2));
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed > 0;
END $$;

-- Publishes what is due among the bookings `bids`: every unpublished review of a booking whose two reviews are both
-- written, or whose window (window_s seconds after completion) has run out. Both triggers (the second review, in
-- submit_review, and the window closing, in the cron's sweep) come here. Each window row is locked first, in
-- booking order, and the rest reads a fresh snapshot, so whichever comes second finds nothing left to publish:
-- every review is published once, its announcement enters the outbox once, and the provider's aggregates change
-- in the same transaction. `events` holds one prepared announcement per (booking_id, side) that may publish; the
-- review's id and stars are filled in here. Answers {events: [{id, payload}], providers: [ids re-rated]}.
CREATE FUNCTION publish_reviews(bids bigint[], window_s double precision, events jsonb, prior_weight numeric,
                                prior_mean numeric) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  published jsonb;
  rated bigint[];
  pid bigint;
BEGIN
  PERFORM 1 FROM review_windows w WHERE w.booking_id = ANY(bids) AND w.published_at IS NULL
    ORDER BY w.booking_id FOR UPDATE;
  WITH due AS (
    SELECT w.booking_id FROM review_windows w
     WHERE w.booking_id = ANY(bids) AND w.published_at IS NULL
       AND (w.completed_at + make_interval(secs => window_s) <= now()
            OR (SELECT count(*) FROM reviews r WHERE r.booking_id = w.booking_id) = 2)
  ),
  pub AS (
    UPDATE reviews r SET published_at = now() FROM due
     WHERE r.booking_id = due.booking_id AND r.published_at IS NULL
    RETURNING r.id, r.booking_id, r.author_role, r.provider_id, r.rating
  ),
  closed AS (
    UPDATE review_windows w SET published_at = now() FROM due WHERE w.booking_id = due.booking_id RETURNING 1
  ),
  ev AS (
    INSERT INTO outbox (event_id, topic, partition_key, payload)
    SELECT (e.value #>> '{payload,meta,event_id}')::uuid, 'booking-events', pub.provider_id::text,
           jsonb_set(jsonb_set(e.value -> 'payload', '{meta,review_id}', to_jsonb(pub.id)),
                     '{meta,rating}', to_jsonb(pub.rating))
      FROM pub JOIN jsonb_array_elements(events) e
        ON (e.value ->> 'booking_id')::bigint = pub.booking_id AND e.value ->> 'side' = pub.author_role
    RETURNING outbox.id, outbox.payload
  )
  SELECT COALESCE((SELECT jsonb_agg(jsonb_build_object('id', ev.id, 'payload', ev.payload) ORDER BY ev.id) FROM ev),
                  '[]'::jsonb),
         (SELECT array_agg(DISTINCT pub.provider_id ORDER BY pub.provider_id) FROM pub
           WHERE pub.author_role = 'customer')
    INTO published, rated
    FROM (SELECT count(*) FROM closed) c;
  FOREACH pid IN ARRAY COALESCE(rated, '{}'::bigint[]) LOOP
    PERFORM refresh_provider_rating(pid, prior_weight, prior_mean);
    PERFORM mark_reputation_dirty(pid);
  END LOOP;
  RETURN jsonb_build_object('events', published, 'providers', to_jsonb(COALESCE(rated, '{}'::bigint[])));
END $$;

-- A review, written once per side: the window is locked and checked again (it may have closed, or the same side
-- may have written, since the caller read it), the review is inserted, a burst of reviews for one provider from new
-- accounts is flagged (`guards`: {new_account_s, burst_s, burst_count}), what is now due is published, and the
-- answer is stored under the caller's idempotency key, all in this one transaction. Answers
-- {outcome: created | already | closed, review, published}.
CREATE FUNCTION submit_review(review jsonb, guards jsonb, window_s double precision, events jsonb,
                              prior_weight numeric, prior_mean numeric, key_user bigint, idem_key text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  bid bigint := (review ->> 'booking_id')::bigint;
  w review_windows;
  r reviews;
  fresh boolean;
  published jsonb;
  answer jsonb;
BEGIN
  SELECT * INTO w FROM review_windows WHERE booking_id = bid FOR UPDATE;
  IF NOT FOUND OR w.published_at IS NOT NULL OR w.completed_at + make_interval(secs => window_s) <= now() THEN
    RETURN jsonb_build_object('outcome', 'closed');
  END IF;
  INSERT INTO reviews (booking_id, author_role, author_id, subject_id, provider_id, rating, punctuality, quality,
                       behaviour, body, redactions, reviewer_name, reviewer_area)
  SELECT bid, review ->> 'author_role', (review ->> 'author_id')::bigint, (review ->> 'subject_id')::bigint,
         w.provider_id, (review ->> 'rating')::smallint, (review ->> 'punctuality')::smallint,
         (review ->> 'quality')::smallint, (review ->> 'behaviour')::smallint, review ->> 'body',
         COALESCE(review -> 'redactions', '{}'::jsonb), review ->> 'reviewer_name', review ->> 'reviewer_area'
  ON CONFLICT (booking_id, author_role) DO NOTHING
  RETURNING * INTO r;
  fresh := FOUND;
  IF NOT fresh THEN
    RETURN jsonb_build_object('outcome', 'already');
  END IF;
  IF r.author_role = 'customer'
     AND EXISTS (SELECT 1 FROM users u WHERE u.id = r.author_id
                  AND u.created_at > now() - make_interval(secs => (guards ->> 'new_account_s')::float8))
     AND (SELECT count(*) FROM reviews x JOIN users u ON u.id = x.author_id
           WHERE x.provider_id = r.provider_id AND x.author_role = 'customer'
             AND x.created_at > now() - make_interval(secs => (guards ->> 'burst_s')::float8)
             AND u.created_at > x.created_at - make_interval(secs => (guards ->> 'new_account_s')::float8))
         >= (guards ->> 'burst_count')::int THEN
    UPDATE reviews x SET flags = array_append(x.flags, 'burst') FROM users u
     WHERE u.id = x.author_id AND x.provider_id = r.provider_id AND x.author_role = 'customer'
       AND x.created_at > now() - make_interval(secs => (guards ->> 'burst_s')::float8)
       AND u.created_at > x.created_at - make_interval(secs => (guards ->> 'new_account_s')::float8)
       AND NOT ('burst' = ANY(x.flags));
  END IF;
  published := publish_reviews(ARRAY[bid], window_s, events, prior_weight, prior_mean);
  SELECT * INTO r FROM reviews WHERE id = r.id;
  answer := review_view(r) || jsonb_build_object('window_closes_at', iso_utc(w.completed_at + make_interval(secs => window_s)));
  UPDATE idempotency_keys SET response_code = 201,
         response_body = jsonb_build_object('ok', true, 'status', 201, 'body', answer)
   WHERE user_id = key_user AND key = idem_key AND idem_key IS NOT NULL;
  RETURN jsonb_build_object('outcome', 'created', 'review', answer, 'published', published);
END $$;

-- An admin hides a published review (kept, with who and why) and its provider's aggregates follow at once.
CREATE FUNCTION hide_review(rid bigint, admin_id bigint, reason text, prior_weight numeric, prior_mean numeric)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r reviews;
BEGIN
  UPDATE reviews SET hidden_at = now(), hidden_by = admin_id, hidden_reason = reason, moderated_at = now()
   WHERE id = rid AND published_at IS NOT NULL AND hidden_at IS NULL
  RETURNING * INTO r;
  IF NOT FOUND THEN
    SELECT * INTO r FROM reviews WHERE id = rid;
    RETURN jsonb_build_object('changed', false, 'review', CASE WHEN FOUND THEN review_view(r) END);
  END IF;
  INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
  VALUES (admin_id, 'review.hide', 'review', rid::text, jsonb_build_object('reason', reason, 'provider_id', r.provider_id));
  IF r.author_role = 'customer' THEN
    PERFORM refresh_provider_rating(r.provider_id, prior_weight, prior_mean);
    PERFORM mark_reputation_dirty(r.provider_id);
  END IF;
  RETURN jsonb_build_object('changed', true, 'review', review_view(r), 'provider_id', r.provider_id);
END $$;

-- Search by trust score (sort=relevance) and the other ranked sorts scan every listing in the radius. Parallel workers
-- cost more than they save on such a scan (3 000 listings in central Dhaka: 55 ms with two workers, 22 ms without);
-- the PgReader connections always ran with them off, and over Neon's HTTP path no session outlives a statement, so,
-- as with jit (0015), the setting belongs to the database.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET max_parallel_workers_per_gather = 0', current_database());
END
$$;
