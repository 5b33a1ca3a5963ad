// GET /search/providers: nearest verified providers of a service, free for an optional window; cached in Redis.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { durationOk } from "../../../../lib/availability";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { PriceUnit } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { cellOf, cellsAround } from "../../../../lib/geo";
import { sha256Hex } from "../../../../lib/hash";
import { instant } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { cached, versionKey } from "../../../../platform/search-cache";
import { type App, defineRoute, responseHeaders } from "../../openapi";
import { runSearch, type SearchParams, SearchSort } from "../../search/query";
import { SEARCH_EXAMPLE } from "../shared/examples";
import { queryDecimal, queryInteger } from "../shared/params";

/** Distances are shown to 10 m: finer would only suggest a precision the public point does not have. */
const DISTANCE_STEP_M = 10;
/** A search cursor's position: the two sort keys and the provider id of the last row. */
const Keyset = z.tuple([z.number(), z.number(), z.number()]);

const Query = z
  .object({
    lat: queryDecimal({ min: -90, max: 90, example: 23.7925 }),
    lng: queryDecimal({ min: -180, max: 180, example: 90.4152 }),
    radius_km: queryDecimal({ min: 0.1, max: 50 }).default(5),
    service_type: z
      .string()
      .regex(/^[a-z][a-z_]{1,31}$/)
      .openapi({ example: "driver" }),
    start: instant.optional(),
    end: instant.optional(),
    min_rating: queryDecimal({ min: 0, max: 5 }).optional(),
    max_price_poisha: queryInteger({ min: 1, max: 999_999_999 }).optional(),
    sort: SearchSort.default("distance"),
    limit: queryInteger({ min: 1, max: 50 }).default(20),
    cursor: z.string().max(512).optional(),
  })
  .refine((q) => (q.start === undefined) === (q.end === undefined), {
    message: "start_end_together",
    path: ["end"],
  })
  .refine((q) => !q.start || !q.end || new Date(q.end) > new Date(q.start), {
    message: "end_after_start",
    path: ["end"],
  })
  .refine((q) => !q.start || !q.end || durationOk(new Date(q.start), new Date(q.end)), {
    message: "window_max_days",
    params: { days: 7 },
    path: ["end"],
  });

const Item = z
  .object({
    provider_id: z.number().int(),
    name: z.string(),
    service_type: z.string(),
    price_poisha: z.number().int(),
    unit: PriceUnit,
    rating: z.number().openapi({ description: "The Bayesian rating (what sort=rating orders by)." }),
    rating_count: z.number().int(),
    trust_score: z.number().openapi({ description: "0 to 100 (what sort=relevance orders by); see README." }),
    distance_m: z.number(),
    verified: z.literal(true),
  })
  .openapi("SearchItem");

const Result = z.object({ items: z.array(Item), next_cursor: z.string().nullable() }).openapi("SearchResult");

const route = defineRoute({
  operationId: "searchProviders",

  method: "get",
  path: "/providers",
  tags: ["search"],
  summary: "Find verified providers near a point",
  description:
    "Distances are geodesic (PostGIS geography) to each provider's public point, which lies 100 to 300 m from their " +
    "real location so that no answer reveals where they live, and are rounded to 10 m. The `next_cursor` of an " +
    "answer is valid only for the same query (same parameters) and is refused (400) otherwise. " +
    "With start and end, only providers free for the whole window by " +
    "their weekly plan, time off and active bookings. sort=rating orders by the Bayesian rating, sort=relevance by " +
    "the trust score (both documented in the README), nearer first among equals. Results are cached briefly; " +
    "X-Cache says HIT or MISS.",
  request: { query: Query },
  responses: {
    200: {
      description: "Providers, nearest first by default",
      headers: responseHeaders("XCache"),
      content: { "application/json": { schema: Result, example: SEARCH_EXAMPLE } },
    },
  },
});

export function registerSearchProviders(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const base: Omit<SearchParams, "after"> = {
      lat: q.lat,
      lng: q.lng,
      radiusKm: q.radius_km,
      serviceType: q.service_type,
      start: q.start ? new Date(q.start) : undefined,
      end: q.end ? new Date(q.end) : undefined,
      minRating: q.min_rating,
      maxPricePoisha: q.max_price_poisha,
      sort: q.sort,
      limit: q.limit,
    };
    // Normalised parameters identify the query: same meaning, same key, whatever order or spelling they came in.
    const queryKey = await sha256Hex(JSON.stringify({ ...base, start: q.start && base.start, end: q.end && base.end }));
    const position = q.cursor
      ? await openCursor(c.var.config.OTP_HMAC_SECRET, `search:${queryKey}`, q.cursor)
      : undefined;
    const keyset = position ? Keyset.safeParse(position) : undefined;
    const after = position === undefined ? undefined : keyset?.success ? keyset.data : null;
    if (after === null) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    }
    const cells = cellsAround(q.lat, q.lng, q.radius_km);
    const kinds = base.start ? (["profile", "availability"] as const) : (["profile"] as const);
    const compute = async () => {
      const found = await runSearch(pgReader(c.env, cellOf(q.lat, q.lng)), { ...base, after });
      const page = found.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          provider_id: r.provider_id,
          name: r.display_name,
          service_type: r.service_type,
          price_poisha: r.price_poisha,
          unit: r.unit,
          rating: r.rating_avg,
          rating_count: r.rating_count,
          trust_score: r.trust_score,
          distance_m: Math.round(r.distance_m / DISTANCE_STEP_M) * DISTANCE_STEP_M,
          verified: true as const,
        })),
        next_cursor:
          found.length > q.limit && last
            ? await signCursor(c.var.config.OTP_HMAC_SECRET, `search:${queryKey}`, [last.k1, last.k2, last.provider_id])
            : null,
      };
    };
    // Cache-Control: no-cache asks for a fresh answer (pull-to-refresh, diagnostics, the cold benchmark).
    const bypass = /no-cache/i.test(c.req.header("cache-control") ?? "");
    if (bypass) return c.json(await compute(), 200, { "X-Cache": "BYPASS" });
    const outcome = await cached(
      c.var.services.redis(),
      {
        paramsKey: `sc:${queryKey}:${q.cursor ?? ""}`,
        versionKeys: cells.flatMap((cell) => kinds.map((k) => versionKey(k, cell))),
        schema: Result,
      },
      compute,
    );
    return c.json(outcome.value, 200, { "X-Cache": outcome.degraded ? "BYPASS" : outcome.hit ? "HIT" : "MISS" });
  });
}
