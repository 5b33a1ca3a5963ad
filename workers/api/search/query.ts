// Provider search SQL: geodesic radius (PostGIS geography on the WGS84 spheroid), availability for a window,
// keyset paging. Nearest-first searches walk the GiST index in distance order (KNN) and stay exact; other sorts
// scan the radius. See docs/search.md for plans and numbers.
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

type Param = string | number;
export type Read = (text: string, params: Param[]) => Promise<Record<string, unknown>[]>;

/**
 * The index orders by distance on a sphere; answers use the spheroid. The two never differ by more than 0.6 % on
 * Earth, so 1 % bounds them: sphere * (1 - EPS) <= spheroid and spheroid <= sphere / (1 - EPS).
 */
export const SPHERE_EPS = 0.01;

/** Sort keys, ascending; keyset paging compares (k1, k2, provider_id). Relevance blends closeness and rating. */
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

/** Filters both modes share: service, verified, the caller's rating/price bounds and window availability. */
function filters(p: SearchParams, arg: (v: Param) => string): string[] {
  const where = ["l.verified", "l.service_type = $4"];
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
  return where;
}

const COLUMNS = `l.provider_id, l.display_name, l.service_type, l.price_poisha::float8 AS price_poisha, l.unit,
  l.rating_avg::float8 AS rating_avg, l.rating_count, l.service_radius_m`;
const POINT = "(SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS pt, $3::float8 AS radius_m) q";

/** All rows within the radius, exact distance computed once per row, sorted and paged in SQL. */
export function scanQuery(p: SearchParams): { text: string; params: Param[] } {
  const params: Param[] = [p.lng, p.lat, p.radiusKm * 1000, p.serviceType];
  const arg = (v: Param) => {
    params.push(v);
    return `$${params.length}`;
  };
  // A cheap sphere test that keeps every row the spheroid radius keeps, so the index can bound the scan.
  const where = [
    `ST_DWithin(l.location, q.pt, ${arg((p.radiusKm * 1000) / (1 - SPHERE_EPS))}, false)`,
    ...filters(p, arg),
  ];
  const [k1, k2] = SORT_KEYS[p.sort];
  const keyset = p.after
    ? `AND (c.k1, c.k2, c.provider_id) > (${arg(p.after[0])}, ${arg(p.after[1])}, ${arg(p.after[2])})`
    : "";
  const text = `
    SELECT c.* FROM (
      SELECT d.*, ${k1} AS k1, ${k2} AS k2 FROM (
        SELECT ${COLUMNS}, ST_Distance(l.location, q.pt) AS distance_m, q.radius_m
          FROM ${POINT}, search_listings l
         WHERE ${where.join(" AND ")}
      ) d
      WHERE d.distance_m <= d.radius_m AND d.distance_m <= d.service_radius_m
    ) c
    WHERE true ${keyset}
    ORDER BY c.k1, c.k2, c.provider_id
    LIMIT ${arg(p.limit + 1)}`;
  return { text, params };
}

/** The first `take` candidates in index (sphere) order, each with its exact distance and its sphere distance. */
export function knnQuery(p: SearchParams, take: number): { text: string; params: Param[] } {
  const params: Param[] = [p.lng, p.lat, p.radiusKm * 1000, p.serviceType];
  const arg = (v: Param) => {
    params.push(v);
    return `$${params.length}`;
  };
  // No radius test here: the walk is bounded by LIMIT, and a radius filter would tempt the planner into a bitmap
  // scan plus sort instead of walking the index in distance order.
  const where = filters(p, arg);
  // On later pages, skip what cannot come after the last row: its distance bounds the sphere distance from below.
  if (p.after) where.push(`(l.location <-> q.pt) >= ${arg(p.after[0] * (1 - SPHERE_EPS))}`);
  const text = `
    SELECT k.*, ST_Distance(k.location, q.pt) AS distance_m
      FROM ${POINT},
           LATERAL (SELECT ${COLUMNS}, l.location, l.location <-> q.pt AS sphere_m
                      FROM search_listings l
                     WHERE ${where.join(" AND ")}
                     ORDER BY l.location <-> q.pt
                     LIMIT ${arg(take)}) k`;
  return { text, params };
}

const cmp = (a: SearchRow, b: SearchRow) => a.k1 - b.k1 || a.k2 - b.k2 || a.provider_id - b.provider_id;
const afterKey = (r: SearchRow, after?: [number, number, number]) =>
  !after || cmp(r, { k1: after[0], k2: after[1], provider_id: after[2] } as SearchRow) > 0;

/**
 * Runs a search and returns up to limit + 1 rows in order (the extra one says there is a next page).
 * Nearest-first: read a few times the page from the KNN walk, rank by exact distance, and accept the answer only
 * when no row beyond the walk could rank inside it; otherwise (rare) fall back to scanning the radius.
 */
export async function runSearch(read: Read, p: SearchParams): Promise<SearchRow[]> {
  if (p.sort === "distance") {
    const take = 3 * (p.limit + 1);
    const { text, params } = knnQuery(p, take);
    const raw = await read(text, params);
    const radius = p.radiusKm * 1000;
    const rows = raw
      .map((r) => {
        const d = Number(r.distance_m);
        return {
          ...toRow(r),
          k1: d,
          k2: 0,
          sphere: Number(r.sphere_m),
          within: d <= radius && d <= Number(r.service_radius_m),
        };
      })
      .filter((r) => r.within && afterKey(r, p.after))
      .sort(cmp);
    const page = rows.slice(0, p.limit + 1);
    if (raw.length < take) return page; // the walk saw every candidate
    const farthestSeen = Math.max(...raw.map((r) => Number(r.sphere_m)));
    const bound = page.length === p.limit + 1 ? (page[page.length - 1]?.k1 ?? radius) : radius;
    if (farthestSeen * (1 - SPHERE_EPS) > bound) return page;
  }
  const { text, params } = scanQuery(p);
  return (await read(text, params)).map((r) => ({ ...toRow(r), k1: Number(r.k1), k2: Number(r.k2) }));
}

function toRow(r: Record<string, unknown>): SearchRow {
  return {
    provider_id: Number(r.provider_id),
    display_name: String(r.display_name),
    service_type: String(r.service_type),
    price_poisha: Number(r.price_poisha),
    unit: String(r.unit),
    rating_avg: Number(r.rating_avg),
    rating_count: Number(r.rating_count),
    distance_m: Number(r.distance_m),
    k1: 0,
    k2: 0,
  };
}
