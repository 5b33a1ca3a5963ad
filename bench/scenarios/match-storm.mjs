// Scenario: a storm of job requests for one area and one window: 200 at once for a driver in Gulshan, the same
// two hours, from 50 customers, while simulated providers accept almost every offer within 0.3-3 s. Many providers
// are offered several of those jobs; each can win only one. Checked beside it: no provider booked twice, and every
// request ends MATCHED or NO_PROVIDER.

import {
  benchCustomers,
  createRequests,
  doubleBooked,
  outcome,
  randomWindow,
  startFleet,
  waitSettled,
} from "../lib/match.mjs";
import { ensureProviders } from "../lib/places.mjs";

const REQUESTS = Number(process.env.BENCH_STORM_REQUESTS ?? 200);
const SETTLE_MS = Number(process.env.BENCH_MATCH_SETTLE_S ?? 240) * 1000;

export default {
  name: "match-storm",
  description: `${REQUESTS} requests for one area and one window at once, providers accepting in 0.3-3 s`,
  connections: 20,
  duration_s: 10,
  amount: REQUESTS,
  target: "no provider booked twice; every request MATCHED or NO_PROVIDER",
  async setup({ base }) {
    await ensureProviders(100_000);
    const customers = await benchCustomers(50);
    const ids = customers.map((c) => c.id);
    const window = randomWindow();
    const fleet = startFleet(base, ids, { accept: 0.9, decline: 0.05, delayMs: [300, 3000] });
    const body = () => ({ service_type: "driver", location: { lat: 23.7925, lng: 90.4152 }, ...window });
    return {
      requests: [createRequests(customers, body)],
      async compare() {
        const left = await waitSettled(ids, SETTLE_MS);
        await fleet.stop();
        const o = await outcome(ids);
        const doubles = await doubleBooked(ids);
        const t = o.time_to_match_ms;
        return {
          ...o,
          double_booked: doubles,
          fleet: fleet.counts,
          unsettled: left,
          text:
            `${o.matched}/${o.requests} MATCHED, ${o.no_provider} NO_PROVIDER, ${o.searching} still searching; ` +
            `${doubles} providers booked twice; request -> MATCHED p50 ${t.p50} ms / p95 ${t.p95} ms; offers per match ` +
            `p50 ${o.offers_per_match.p50} / p95 ${o.offers_per_match.p95}; waves p50 ${o.waves_per_match.p50} / p95 ` +
            `${o.waves_per_match.p95}; fleet: ${fleet.counts.won} won, ${fleet.counts.lost} accepts refused (409)`,
        };
      },
      check({ comparison }) {
        const ok = comparison !== null && comparison.double_booked === 0 && comparison.searching === 0;
        return {
          ok,
          text: `${comparison?.double_booked ?? "?"} double bookings, ${comparison?.searching ?? "?"} requests unsettled (both must be 0)`,
        };
      },
    };
  },
};
