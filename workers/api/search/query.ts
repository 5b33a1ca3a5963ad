// Builds the provider search SQL: geodesic radius (PostGIS geography), availability for a window, keyset paging.
import { windowWeekRange } from "../../../lib/availability";

export const SORTS = ["distance", "rating", "price", "relevance"] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchParams {
  lat: number;
  lng: number;
  radiusKm: number;
  serviceType: string;
  start?: Date | undefined;
  end?: Date | undefined;
  minRating?: number | undefined;
  maxPricePoisha?: number | undefined;
  sort: Sort;
  limit: number;
  /** Keyset position: the last row's [k1, k2, provider_id]. */
  after?: [number, number, number] | undefined;
}

export interface SearchRow {
  provider_id: number;
  display_name: string;
  service_type: string;
  price_poisha: number;
  unit: string;
  rating_avg: number;
  rating_count: number;
  distance_m: number;
  k1: number;
  k2: number;
}

/**
 * k1/k2 are the sort keys, ascending: keyset paging compares (k1, k2, provider_id) with the previous page's last row.
 * Relevance blends closeness, rating and how established the rating is; it is a ranking, not a promise.
 */
const SORT_KEYS: Record<Sort, [string, string]> = {
  distance: ["distance_m", "0"],
  rating: ["-rating_avg", "distance_m"],
  price: ["price_poisha", "distance_m"],
  relevance: [
    "-(0.5 * (1 - distance_m / radius_m) + 0.4 * rating_avg / 5 + 0.1 * least(ln(1 + rating_count) / ln(1000), 1))",
    "distance_m",
  ],
};

export const ACTIVE_BOOKING_STATUSES = ["PENDING", "ACCEPTED", "CONFIRMED"] as const;

export function buildSearchQuery(p: SearchParams): { text: string; params: (string | number)[] } {
  const params: (string | number)[] = [p.lng, p.lat, p.radiusKm * 1000, p.serviceType];
  const arg = (v: string | number) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [
    "l.verified",
    "l.service_type = $4",
    "ST_DWithin(l.location, q.pt, $3)",
    // The customer must also be inside the area the provider serves.
    "ST_DWithin(l.location, q.pt, l.service_radius_m)",
  ];
  if (p.minRating !== undefined) where.push(`l.rating_avg >= ${arg(p.minRating)}`);
  if (p.maxPricePoisha !== undefined) where.push(`l.price_poisha <= ${arg(p.maxPricePoisha)}`);
  if (p.start && p.end) {
    const [from, to] = windowWeekRange(p.start, p.end);
    const win = `tstzrange(${arg(p.start.toISOString())}::timestamptz, ${arg(p.end.toISOString())}::timestamptz, '[)')`;
    where.push(
      `EXISTS (SELECT 1 FROM provider_schedule s WHERE s.provider_id = l.provider_id AND s.week_minutes @> int4range(${arg(from)}, ${arg(to)}))`,
      `NOT EXISTS (SELECT 1 FROM provider_time_off t WHERE t.provider_id = l.provider_id AND t.period && ${win})`,
      `NOT EXISTS (SELECT 1 FROM bookings b WHERE b.provider_id = l.provider_id
         AND b.status IN ('${ACTIVE_BOOKING_STATUSES.join("','")}') AND b.booking_window && ${win})`,
    );
  }
  const [k1, k2] = SORT_KEYS[p.sort];
  const keyset = p.after
    ? `WHERE (c.k1, c.k2, c.provider_id) > (${arg(p.after[0])}, ${arg(p.after[1])}, ${arg(p.after[2])})`
    : "";
  const text = `
    SELECT c.provider_id, c.display_name, c.service_type, c.price_poisha, c.unit, c.rating_avg, c.rating_count,
           c.distance_m, c.k1, c.k2
      FROM (
        SELECT l.*, d.distance_m, ${k1} AS k1, ${k2} AS k2
          FROM (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS pt, $3::float8 AS radius_m) q
          JOIN LATERAL (SELECT l.provider_id, l.display_name, l.service_type, l.price_poisha::float8 AS price_poisha,
                               l.unit, l.rating_avg::float8 AS rating_avg, l.rating_count, l.location,
                               l.service_radius_m
                          FROM search_listings l
                         WHERE ${where.join("\n                           AND ")}) l ON true
          CROSS JOIN LATERAL (SELECT ST_Distance(l.location, q.pt) AS distance_m) d
      ) c
      ${keyset}
     ORDER BY c.k1, c.k2, c.provider_id
     LIMIT ${arg(p.limit + 1)}`;
  return { text, params };
}
