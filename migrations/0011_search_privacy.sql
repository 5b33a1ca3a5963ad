-- Search answers must not give a provider's home away. Every search (its radius filter, its order, its distances)
-- runs on a public point instead of the stored location: the location moved 100 to 300 m in a direction drawn from a
-- keyed hash of (provider, location). The offset is stable while the location stays (repeating or averaging searches
-- learns nothing more), changes when the location changes (knowing one old address does not reveal the next), and
-- cannot be computed without the database's own salt. Whatever a client learns from search, it learns about the
-- public point, which is never closer than 100 m to the real one. SECURITY.md states the bound.

CREATE TABLE search_privacy (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  salt      text NOT NULL
);
INSERT INTO search_privacy (salt) VALUES (md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text));

CREATE FUNCTION public_point(pid bigint, loc geography) RETURNS geography LANGUAGE sql STABLE AS $$
  SELECT ST_Project(loc,
                    100 + 200 * (('x' || substr(h, 1, 8))::bit(32)::bigint / 4294967296.0),
                    2 * pi() * (('x' || substr(h, 9, 8))::bit(32)::bigint / 4294967296.0))
    FROM (SELECT md5(s.salt || ':' || pid || ':' || ST_AsText(loc)) AS h FROM search_privacy s) k
$$;

CREATE OR REPLACE FUNCTION sync_listings_for_provider(pid bigint) RETURNS void LANGUAGE sql AS $$
  DELETE FROM search_listings l
   WHERE l.provider_id = pid
     AND NOT EXISTS (SELECT 1 FROM provider_services s WHERE s.provider_id = pid AND s.service_type = l.service_type);
  INSERT INTO search_listings (provider_id, service_type, display_name, price_poisha, unit, rating_avg, rating_count,
                               location, service_radius_m, verified)
  SELECT p.id, s.service_type, p.display_name, s.price_poisha, s.unit, p.rating_avg, p.rating_count,
         public_point(p.id, p.location), p.service_radius_km * 1000, p.verification_status = 'verified'
    FROM providers p JOIN provider_services s ON s.provider_id = p.id
   WHERE p.id = pid
  ON CONFLICT (provider_id, service_type) DO UPDATE SET
    display_name = EXCLUDED.display_name, price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit,
    rating_avg = EXCLUDED.rating_avg, rating_count = EXCLUDED.rating_count, location = EXCLUDED.location,
    service_radius_m = EXCLUDED.service_radius_m, verified = EXCLUDED.verified;
$$;

COMMENT ON COLUMN search_listings.location IS
  'public_point(provider_id, providers.location): 100-300 m from the real location; all search math uses it';

UPDATE search_listings l SET location = public_point(l.provider_id, p.location)
  FROM providers p WHERE p.id = l.provider_id;
