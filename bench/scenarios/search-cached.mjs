// Scenario: repeat searches served from the Redis cache (the common case: many users, a few hot neighbourhoods).
import { ratioCheck } from "../lib/auth.mjs";
import { ensureProviders, randomQuery } from "../lib/places.mjs";

export default {
  name: "search-cached",
  description: "GET /search/providers, 50 hot queries, every one a cache HIT (one Redis round trip)",
  connections: 64,
  duration_s: 10,
  target: "p95 <= 2x baseline, no errors",
  async setup({ base }) {
    await ensureProviders();
    let seed = 7;
    // A fixed pseudo-random sequence (Park-Miller): the same 50 queries every run.
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const paths = Array.from({ length: 50 }, () => `/search/providers?${new URLSearchParams(randomQuery(rand))}`);
    for (const p of paths) await fetch(`${base}${p}`); // warm the cache: the run below is all HITs
    let i = 0;
    return {
      requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
      check: ratioCheck("p95", 2),
    };
  },
};
