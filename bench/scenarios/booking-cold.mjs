// Scenario: the first step on provider objects nobody has touched since the stack started (cold: a new object, its
// cache reloaded from Postgres), against the same step on objects already busy (warm), in the same run.

import { bookableProviders, createBookingRequest, customerToken, slotMaker } from "../lib/booking.mjs";
import { measure } from "../lib/measure.mjs";

/** One cold create per object: each provider in the cold set is used exactly once. */
const COLD = 400;
const WARM = 16;
const CONNECTIONS = 8;

export default {
  name: "booking-cold",
  description: `POST /booking/bookings: the first step on ${COLD} never-used provider objects, beside warm ones`,
  connections: CONNECTIONS,
  duration_s: 10,
  amount: COLD,
  target: "cold p95 <= 1.5x warm p95 (same requests, same connections, same run), no errors",
  async setup({ base }) {
    // The cold set comes from the end of the seed's list: no other scenario books those providers.
    const all = (await bookableProviders(COLD + WARM + 400)).map((p) => p.id);
    const warm = all.slice(0, WARM);
    const cold = all.slice(-COLD);
    const token = await customerToken(base, "+8801700000003");
    const slot = slotMaker(1);
    // autocannon runs setupRequest only inside `requests`.
    const warmRequest = { requests: [createBookingRequest(warm, token, slot)] };
    // Warm the warm set: every object has served a step before it is measured.
    await measure({ base, request: warmRequest, connections: CONNECTIONS, amount: WARM * 4 });
    return {
      requests: [createBookingRequest(cold, token, slot)],
      async compare() {
        const w = await measure({ base, request: warmRequest, connections: CONNECTIONS, amount: COLD });
        return { warm: w, text: `warm objects: p50 ${w.p50} ms, p95 ${w.p95} ms, p99 ${w.p99} ms (${COLD} requests)` };
      },
      check({ target, comparison }) {
        const warmP95 = comparison?.warm?.p95;
        const r = warmP95 ? target.p95 / warmP95 : Number.POSITIVE_INFINITY;
        const ok = r <= 1.5 && target.errors === 0 && target.non2xx === 0;
        return {
          ok,
          text: `cold p95 ${target.p95} ms = ${r.toFixed(2)}x warm p95 ${warmP95} ms (limit 1.5x), ${target.errors} errors, ${target.non2xx} non-2xx`,
        };
      },
    };
  },
};
