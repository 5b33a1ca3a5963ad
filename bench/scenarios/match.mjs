// Scenario: matching across Dhaka on the 100 000-provider seed. The autocannon target posts job requests (random
// points, services and far-future windows) beside GET /health; simulated providers answer every offer through the
// API after 1-8 s (70% accept, 15% decline, the rest let it run out). Reported beside it: time from request to
// MATCHED (Postgres's clock), offers sent per match, waves, and how many ended NO_PROVIDER.

import {
  benchCustomers,
  createRequests,
  dhakaJob,
  outcome,
  randomWindow,
  startFleet,
  waitSettled,
} from "../lib/match.mjs";
import { ensureProviders } from "../lib/places.mjs";

const REQUESTS = Number(process.env.BENCH_MATCH_REQUESTS ?? 200);
/** The dev stack searches for 3 minutes (MATCH_SEARCH_MIN in wrangler.toml [vars]); a little longer to settle. */
const SETTLE_MS = Number(process.env.BENCH_MATCH_SETTLE_S ?? 240) * 1000;

export default {
  name: "match",
  description: `${REQUESTS} job requests across Dhaka (100k providers), simulated providers answering in 1-8 s`,
  connections: 10,
  duration_s: 10,
  amount: REQUESTS,
  target: "request create p95 <= 2x the /health p95 (same run); every request MATCHED or NO_PROVIDER",
  async setup({ base }) {
    await ensureProviders(100_000);
    const customers = await benchCustomers(20);
    const ids = customers.map((c) => c.id);
    // Running from now on: the offers of the target's requests are answered while they are being made.
    const fleet = startFleet(base, ids, { accept: 0.7, decline: 0.15, delayMs: [1000, 8000] });
    return {
      requests: [createRequests(customers, () => ({ ...dhakaJob(), ...randomWindow() }))],
      async compare() {
        const left = await waitSettled(ids, SETTLE_MS);
        await fleet.stop();
        const o = await outcome(ids);
        const t = o.time_to_match_ms;
        return {
          ...o,
          fleet: fleet.counts,
          unsettled: left,
          text:
            `${o.matched}/${o.requests} MATCHED, ${o.no_provider} NO_PROVIDER, ${o.searching} still searching; request ` +
            `-> MATCHED p50 ${t.p50} ms / p95 ${t.p95} ms; offers per match p50 ${o.offers_per_match.p50} / p95 ` +
            `${o.offers_per_match.p95}; waves p50 ${o.waves_per_match.p50}; fleet: ${fleet.counts.offers} offers seen, ` +
            `${fleet.counts.won} won, ${fleet.counts.lost} accepts refused (409), ${fleet.counts.declines} declined`,
        };
      },
      check({ baseline, target, comparison }) {
        const r = baseline.p95 && target.p95 ? Number((target.p95 / baseline.p95).toFixed(2)) : null;
        const settled = comparison && comparison.searching === 0;
        return {
          ok: r !== null && r <= 2 && settled && target.errors === 0 && target.non2xx === 0,
          text: `create p95 ${r}x the /health p95 (limit 2x); ${comparison?.searching ?? "?"} requests unsettled; ${target.errors} errors, ${target.non2xx} non-2xx`,
        };
      },
    };
  },
};
