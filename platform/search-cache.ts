// Search result cache in Redis. Keys carry the versions of every map cell the search touches, so a change to any
// provider there (profile, verification, schedule, bookings) makes older entries unreachable at once.
import type { Redis } from "@upstash/redis/cloudflare";
import type { z } from "zod";
import { cellsAround } from "../lib/geo";
import { isDependencyFailure } from "./pg/errors";

export const SEARCH_TTL_S = 60;
const LOCK_MS = 3_000;
const WAIT_STEP_MS = 25;
const WAIT_MAX_MS = 1_500;

/** Namespaces: profile changes (any search) and availability changes (searches with a time window). */
export type VersionKind = "profile" | "availability";
/** Redis key prefixes stay one letter: every search reads one key per cell and kind. */
const KEY_PREFIX: Record<VersionKind, string> = { profile: "p", availability: "a" };
export const versionKey = (kind: VersionKind, cell: string) => `sv:${KEY_PREFIX[kind]}:${cell}`;

// One round trip: read the cell versions, derive the entry key from them, and read the entry.
const LOOKUP_LUA = `
local versions = redis.call('MGET', unpack(KEYS))
for i, v in ipairs(versions) do if not v then versions[i] = '0' end end
local key = ARGV[1] .. ':' .. redis.sha1hex(table.concat(versions, ','))
return {key, redis.call('GET', key)}
`;

export interface CacheOutcome<T> {
  value: T;
  hit: boolean;
  /** Redis could not be reached: the value was computed without the cache. */
  degraded: boolean;
}

/**
 * Returns the cached value or computes it. Concurrent misses on one key compute once: the first takes a short lock,
 * the others wait for its entry (and compute themselves only if it never comes, so a crashed holder costs latency,
 * never an error). With Redis down, every caller computes: search slows down but keeps answering. What comes out
 * of Redis is parsed by `schema`: the cache is never trusted to hold the shape it should.
 */
export async function cached<T>(
  redis: Redis,
  opts: { paramsKey: string; versionKeys: string[]; schema: z.ZodType<T> },
  compute: () => Promise<T>,
): Promise<CacheOutcome<T>> {
  const decode = (raw: string): T | null => {
    const parsed = opts.schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  };
  let key: string;
  let owner = false;
  try {
    const lookup = redis.createScript<[string, string | null]>(LOOKUP_LUA);
    const [k, stored] = await lookup.exec(opts.versionKeys, [opts.paramsKey]);
    key = k;
    const hit = stored === null ? null : decode(stored);
    if (hit !== null) return { value: hit, hit: true, degraded: false };
    owner = (await redis.set(`${key}:lock`, "1", { nx: true, px: LOCK_MS })) === "OK";
    if (!owner) {
      for (let waited = 0; waited < WAIT_MAX_MS; waited += WAIT_STEP_MS) {
        await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
        const raw = await redis.get<string>(key);
        const value = raw === null ? null : decode(raw);
        if (value !== null) return { value, hit: true, degraded: false };
      }
    }
  } catch (err) {
    if (!isDependencyFailure(err)) throw err;
    return { value: await compute(), hit: false, degraded: true };
  }
  const value = await compute();
  try {
    await redis.set(key, JSON.stringify(value), { ex: SEARCH_TTL_S });
    if (owner) await redis.del(`${key}:lock`);
  } catch (err) {
    // The answer is computed and right; only the next caller pays for the lost entry.
    if (!isDependencyFailure(err)) throw err;
  }
  return { value, hit: false, degraded: false };
}

/** Called after any change to a provider: bumps the cell's versions (both kinds when the profile changed). */
async function invalidateCell(redis: Redis, cell: string, kinds: VersionKind[]): Promise<void> {
  const tx = redis.multi();
  for (const k of kinds) tx.incr(versionKey(k, cell));
  await tx.exec();
}

/**
 * How far a provider's public point (what search sees) may lie from their location: see
 * migrations/0011_search_privacy.sql. Invalidation covers every cell within it.
 */
const PUBLIC_POINT_MAX_OFFSET_KM = 0.3;

/** The cells whose searches can see a provider located at (lat, lng). */
function cellsOfProvider(lat: number, lng: number): string[] {
  return cellsAround(lat, lng, PUBLIC_POINT_MAX_OFFSET_KM);
}

/** Bumps the versions of the cells a provider was and is in (each cell once). */
export async function invalidateAround(
  redis: Redis,
  points: { lat: number; lng: number }[],
  kinds: VersionKind[],
): Promise<void> {
  const cells = new Set(points.flatMap((p) => cellsOfProvider(p.lat, p.lng)));
  await Promise.all([...cells].map((cell) => invalidateCell(redis, cell, kinds)));
}
