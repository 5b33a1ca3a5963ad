-- Search: a listing per (verified-or-not provider, service), kept in step with providers and provider_services by
-- triggers, with one GiST index shaped for the query: service_type equality + distance, verified rows only.

CREATE TABLE search_listings (
  provider_id       bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  service_type      text NOT NULL,
  display_name      text NOT NULL,
  price_poisha      bigint NOT NULL,
  unit              text NOT NULL,
  rating_avg        numeric(3, 2) NOT NULL,
  rating_count      int NOT NULL,
  location          geography(Point, 4326) NOT NULL,
  service_radius_m  double precision NOT NULL,
  verified          boolean NOT NULL,
  PRIMARY KEY (provider_id, service_type)
);
CREATE INDEX search_listings_service_location ON search_listings USING gist (service_type, location) WHERE verified;

CREATE FUNCTION sync_listings_for_provider(pid bigint) RETURNS void LANGUAGE sql AS $$
  DELETE FROM search_listings l
   WHERE l.provider_id = pid
     AND NOT EXISTS (SELECT 1 FROM provider_services s WHERE s.provider_id = pid AND s.service_type = l.service_type);
  INSERT INTO search_listings (provider_id, service_type, display_name, price_poisha, unit, rating_avg, rating_count,
                               location, service_radius_m, verified)
  SELECT p.id, s.service_type, p.display_name, s.price_poisha, s.unit, p.rating_avg, p.rating_count, p.location,
         p.service_radius_km * 1000, p.verification_status = 'verified'
    FROM providers p JOIN provider_services s ON s.provider_id = p.id
   WHERE p.id = pid
  ON CONFLICT (provider_id, service_type) DO UPDATE SET
    display_name = EXCLUDED.display_name, price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit,
    rating_avg = EXCLUDED.rating_avg, rating_count = EXCLUDED.rating_count, location = EXCLUDED.location,
    service_radius_m = EXCLUDED.service_radius_m, verified = EXCLUDED.verified;
$$;

CREATE FUNCTION sync_listings_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'providers' THEN
    PERFORM sync_listings_for_provider(NEW.id);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sync_listings_for_provider(OLD.provider_id);
  ELSE
    PERFORM sync_listings_for_provider(NEW.provider_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER providers_sync_listings AFTER UPDATE OF display_name, location, service_radius_km,
  verification_status, rating_avg, rating_count ON providers
  FOR EACH ROW EXECUTE FUNCTION sync_listings_trigger();
CREATE TRIGGER provider_services_sync_listings AFTER INSERT OR UPDATE OR DELETE ON provider_services
  FOR EACH ROW EXECUTE FUNCTION sync_listings_trigger();

INSERT INTO search_listings (provider_id, service_type, display_name, price_poisha, unit, rating_avg, rating_count,
                             location, service_radius_m, verified)
SELECT p.id, s.service_type, p.display_name, s.price_poisha, s.unit, p.rating_avg, p.rating_count, p.location,
       p.service_radius_km * 1000, p.verification_status = 'verified'
  FROM providers p JOIN provider_services s ON s.provider_id = p.id;

-- OLTP: JIT compilation costs tens of milliseconds on short geo queries and never pays back here.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$;
