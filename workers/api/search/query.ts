// Provider search SQL: geodesic radius (PostGIS geography on the WGS84 spheroid), availability for a window,
// keyset paging. Nearest-first searches walk the GiST index in distance order (KNN) and stay exact; other sorts
// scan the radius. See docs/search.md for plans and numbers.
//
// The statements are fixed texts, one per mode, sort and window-or-not. Optional bounds are always bound, with
// values that keep every row when the caller set none (rating >= 0, price <= the largest safe integer, a keyset
// start before every row), so no text is assembled per request.
import { z } from "zod";
import { windowWeekRange } from "../../../lib/availability";
import { PriceUnit } from "../../../lib/enums";
import { freeForWindow } from "../../../platform/pg/availability";
import { bigintNumber, type Runner, rows, statement } from "../../../platform/pg/sql";

export const SearchSort = z.enum(["distance", "rating", "price", "relevance"]);
export type SearchSort = z.infer<typeof SearchSort>;

export interface SearchParams {
  lat: number;
  lng: number;
  radiusKm: number;
  serviceType: string;
  start?: Date | undefined;
  end?: Date | undefined;
  minRating?: number | undefined;
  maxPricePoisha?: number | undefined;
  sort: SearchSort;
  limit: number;
  /** Keyset position: the last row's [k1, k2, provider_id]. */
  after?: [number, number, number] | undefined;
}

const Listing = z.object({
  provider_id: bigintNumber,
  display_name: z.string(),
  service_type: z.string(),
  price_poisha: z.number(),
  unit: PriceUnit,
  rating_avg: z.number(),
  rating_count: z.number().int(),
  trust_score: z.number(),
  service_radius_m: z.number(),
  distance_m: z.number(),
});
const KnnRow = Listing.extend({ sphere_m: z.number() });
const ScanRow = Listing.extend({ k1: z.number(), k2: z.number() });

export type SearchRow = z.infer<typeof ScanRow>;

/**
 * The index orders by distance on a sphere; answers use the spheroid. The two never differ by more than 0.6 % on
 * Earth, so 1 % bounds them: sphere * (1 - EPS) <= spheroid and spheroid <= sphere / (1 - EPS).
 */
export const SPHERE_EPS = 0.01;

/**
 * Sort keys, ascending; keyset paging compares (k1, k2, provider_id). Rating is the Bayesian rating (rating_avg);
 * relevance is the trust score (lib/reputation.ts). Among equals, nearer first by the sphere distance: the order
 * needs no spheroid precision, and computing it for every row in the radius would cost most of the query.
 */
const SORT_KEYS: Record<SearchSort, [string, string]> = {
  distance: ["distance_m", "0::float8"],
  rating: ["-rating_avg", "sphere_m"],
  price: ["price_poisha", "sphere_m"],
  relevance: ["-trust_score", "sphere_m"],
};

const num = z.number();
const COMMON = { lng: num, lat: num, radius_m: num, service_type: z.string(), min_rating: num, max_price_poisha: num };
const WINDOW = { week_from: num, week_to: num, start: z.string(), end: z.string() };
const KNN_PAGE = { min_sphere_m: num, take: num };
const SCAN_PAGE = { search_radius_m: num, after_k1: num, after_k2: num, after_id: num, page_size: num };

const POINT = "(SELECT ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography AS pt, :radius_m::float8 AS radius_m) q";
const COLUMNS = `l.provider_id, l.display_name, l.service_type, l.price_poisha::float8 AS price_poisha, l.unit,
  l.rating_avg::float8 AS rating_avg, l.rating_count, l.trust_score::float8 AS trust_score, l.service_radius_m`;
/** Filters both modes share: service, verified, and the caller's rating and price bounds. */
const FILTERS =
  "l.verified AND l.service_type = :service_type AND l.rating_avg >= :min_rating AND l.price_poisha <= :max_price_poisha";
/** Free for the whole window: the weekly plan covers it, no time off and no active booking overlaps it. */
const WINDOW_FILTERS = freeForWindow("l.provider_id");

/**
 * The first `take` candidates in index (sphere) order, each with its exact distance and its sphere distance. No
 * radius test: the walk is bounded by LIMIT, and a radius filter would tempt the planner into a bitmap scan plus
 * sort instead of walking the index in distance order. On later pages, :min_sphere_m skips what cannot come after
 * the last row (its distance bounds the sphere distance from below).
 */
const knnText = (windowFilters: string) => `
  SELECT k.*, ST_Distance(k.location, q.pt) AS distance_m
    FROM ${POINT},
         LATERAL (SELECT ${COLUMNS}, l.location, l.location <-> q.pt AS sphere_m
                    FROM search_listings l
                   WHERE ${FILTERS}${windowFilters} AND (l.location <-> q.pt) >= :min_sphere_m
                   ORDER BY l.location <-> q.pt
                   LIMIT :take) k`;

/**
 * Nearest first when the KNN walk could not settle the page: all rows within the radius, exact distance computed once
 * per row, sorted and paged in SQL. A cheap sphere test
 * (:search_radius_m) keeps every row the spheroid radius keeps, so the index can bound the scan.
 */
const scanText = (sort: SearchSort, windowFilters: string) => `
  SELECT c.* FROM (
    SELECT d.*, ${SORT_KEYS[sort][0]} AS k1, ${SORT_KEYS[sort][1]} AS k2 FROM (
      SELECT ${COLUMNS}, ST_Distance(l.location, q.pt) AS distance_m, q.radius_m
        FROM ${POINT}, search_listings l
       WHERE ST_DWithin(l.location, q.pt, :search_radius_m, false) AND ${FILTERS}${windowFilters}
    ) d
    WHERE d.distance_m <= d.radius_m AND d.distance_m <= d.service_radius_m
  ) c
  WHERE (c.k1, c.k2, c.provider_id) > (:after_k1, :after_k2, :after_id)
  ORDER BY c.k1, c.k2, c.provider_id
  LIMIT :page_size`;

const OUT = `r.provider_id, r.display_name, r.service_type, r.price_poisha, r.unit, r.rating_avg, r.rating_count,
  r.trust_score, r.service_radius_m, r.k1, r.k2`;

/**
 * The other sorts (rating, price, relevance) rank every row in the radius by a key that is not distance. The sphere
 * distance (cheap) orders equals; the exact spheroid distance is computed only where it decides something: for rows
 * whose sphere distance lies within 1 % of the radius or of the provider's own service radius (the two never differ
 * by more, see SPHERE_EPS), and for the page's rows, whose distance the answer shows.
 */
const rankText = (sort: SearchSort, windowFilters: string) => `
  SELECT ${OUT}, ST_Distance(r.location, q.pt) AS distance_m
    FROM ${POINT}, (
      SELECT c.* FROM (
        SELECT d.*, ${SORT_KEYS[sort][0]} AS k1, ${SORT_KEYS[sort][1]} AS k2 FROM (
          SELECT ${COLUMNS}, l.location, ST_Distance(l.location, q.pt, false) AS sphere_m, q.radius_m, q.pt
            FROM ${POINT}, search_listings l
           WHERE ST_DWithin(l.location, q.pt, :search_radius_m, false) AND ${FILTERS}${windowFilters}
        ) d
        WHERE (d.sphere_m <= d.radius_m * ${1 - SPHERE_EPS} OR ST_Distance(d.location, d.pt) <= d.radius_m)
          AND (d.sphere_m <= d.service_radius_m * ${1 - SPHERE_EPS} OR ST_Distance(d.location, d.pt) <= d.service_radius_m)
      ) c
      WHERE (c.k1, c.k2, c.provider_id) > (:after_k1, :after_k2, :after_id)
      ORDER BY c.k1, c.k2, c.provider_id
      LIMIT :page_size
    ) r
   ORDER BY r.k1, r.k2, r.provider_id`;

const KNN = {
  anytime: statement({ params: { ...COMMON, ...KNN_PAGE }, row: KnnRow, text: knnText("") }),
  window: statement({ params: { ...COMMON, ...WINDOW, ...KNN_PAGE }, row: KnnRow, text: knnText(WINDOW_FILTERS) }),
};

const scanStatements = (sort: SearchSort) => {
  const text = sort === "distance" ? scanText : rankText;
  return {
    anytime: statement({ params: { ...COMMON, ...SCAN_PAGE }, row: ScanRow, text: text(sort, "") }),
    window: statement({
      params: { ...COMMON, ...WINDOW, ...SCAN_PAGE },
      row: ScanRow,
      text: text(sort, WINDOW_FILTERS),
    }),
  };
};
const SCAN: Record<SearchSort, ReturnType<typeof scanStatements>> = {
  distance: scanStatements("distance"),
  rating: scanStatements("rating"),
  price: scanStatements("price"),
  relevance: scanStatements("relevance"),
};

function commonParams(p: SearchParams) {
  return {
    lng: p.lng,
    lat: p.lat,
    radius_m: p.radiusKm * 1000,
    service_type: p.serviceType,
    min_rating: p.minRating ?? 0,
    max_price_poisha: p.maxPricePoisha ?? Number.MAX_SAFE_INTEGER,
  };
}

function windowParams(p: SearchParams) {
  if (!p.start || !p.end) return undefined;
  const [weekFrom, weekTo] = windowWeekRange(p.start, p.end);
  return { week_from: weekFrom, week_to: weekTo, start: p.start.toISOString(), end: p.end.toISOString() };
}

function knnPage(p: SearchParams, take: number) {
  return { min_sphere_m: p.after ? p.after[0] * (1 - SPHERE_EPS) : 0, take };
}

/** The KNN statement a search runs, as positional text and values (the benchmark replays it with pgbench). */
export function knnQuery(p: SearchParams, take: number): { text: string; params: unknown[] } {
  const window = windowParams(p);
  const page = knnPage(p, take);
  return window
    ? { text: KNN.window.text, params: KNN.window.bind({ ...commonParams(p), ...window, ...page }) }
    : { text: KNN.anytime.text, params: KNN.anytime.bind({ ...commonParams(p), ...page }) };
}

function knnRows(db: Runner, p: SearchParams, take: number) {
  const window = windowParams(p);
  const page = knnPage(p, take);
  return window
    ? rows(db, KNN.window, { ...commonParams(p), ...window, ...page })
    : rows(db, KNN.anytime, { ...commonParams(p), ...page });
}

function scanRows(db: Runner, p: SearchParams) {
  const [afterK1, afterK2, afterId] = p.after ?? [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
  const page = {
    search_radius_m: (p.radiusKm * 1000) / (1 - SPHERE_EPS),
    after_k1: afterK1,
    after_k2: afterK2,
    after_id: afterId,
    page_size: p.limit + 1,
  };
  const window = windowParams(p);
  const stmts = SCAN[p.sort];
  return window
    ? rows(db, stmts.window, { ...commonParams(p), ...window, ...page })
    : rows(db, stmts.anytime, { ...commonParams(p), ...page });
}

const cmp = (a: { k1: number; k2: number; provider_id: number }, b: { k1: number; k2: number; provider_id: number }) =>
  a.k1 - b.k1 || a.k2 - b.k2 || a.provider_id - b.provider_id;
const isAfter = (r: SearchRow, after?: [number, number, number]) =>
  !after || cmp(r, { k1: after[0], k2: after[1], provider_id: after[2] }) > 0;

/**
 * Runs a search and returns up to limit + 1 rows in order (the extra one says there is a next page).
 * Nearest-first: read a few times the page from the KNN walk, rank by exact distance, and accept the answer only
 * when no row beyond the walk could rank inside it; otherwise (rare) fall back to scanning the radius.
 */
export async function runSearch(db: Runner, p: SearchParams): Promise<SearchRow[]> {
  if (p.sort === "distance") {
    const take = 3 * (p.limit + 1);
    const walked = await knnRows(db, p, take);
    const radius = p.radiusKm * 1000;
    const ranked = walked
      .filter((r) => r.distance_m <= radius && r.distance_m <= r.service_radius_m)
      .map(({ sphere_m: _, ...r }) => ({ ...r, k1: r.distance_m, k2: 0 }))
      .filter((r) => isAfter(r, p.after))
      .sort(cmp);
    const page = ranked.slice(0, p.limit + 1);
    if (walked.length < take) return page; // the walk saw every candidate
    const farthestSeen = Math.max(...walked.map((r) => r.sphere_m));
    const bound = page.length === p.limit + 1 ? (page[page.length - 1]?.k1 ?? radius) : radius;
    if (farthestSeen * (1 - SPHERE_EPS) > bound) return page;
  }
  return scanRows(db, p);
}
