// Booking benchmarks: bookable providers from the seed, customers, and request bodies that never collide.
import pg from "pg";
import { login } from "./auth.mjs";
import { DATABASE_URL } from "./places.mjs";

/** Verified drivers available around the clock (the seed's "always" plan), excluding provider 1, with their users. */
export async function bookableProviders(n) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT l.provider_id::int AS id, p.user_id::int AS user_id FROM search_listings l JOIN providers p ON p.id = l.provider_id
        WHERE l.verified AND l.service_type = 'driver' AND l.provider_id <> 1
          AND EXISTS (SELECT 1 FROM provider_schedule s WHERE s.provider_id = l.provider_id AND s.week_minutes = int4range(0, 20160))
        ORDER BY l.provider_id LIMIT $1`,
      [n],
    );
    if (rows.length < n)
      throw new Error(`need ${n} bookable drivers, found ${rows.length}: run npm run seed -- --providers 3000`);
    return rows;
  } finally {
    await client.end();
  }
}

/** Every provider's bookings in this run go in their own future slots, one after another, so none overlap. */
export function slotMaker(hours = 1) {
  // Years ahead (inside the dev stack's ten-year horizon), at a random offset, so no two runs ever collide.
  const runStart = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e4) * 4 * 3_600_000;
  const next = new Map();
  return (providerId) => {
    const k = next.get(providerId) ?? 0;
    next.set(providerId, k + 1);
    const start = runStart + k * (hours + 1) * 3_600_000;
    return { start_date: new Date(start).toISOString(), end_date: new Date(start + hours * 3_600_000).toISOString() };
  };
}

/** An access token for a test customer (demo customer by default). */
export async function customerToken(base, phone = "+8801700000001") {
  return (await login(base, phone)).access_token;
}

export async function countBookings(where, params) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM bookings WHERE ${where}`, params);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/** The autocannon request that books the next provider in turn, each in its next free slot, with a fresh key. */
export function createBookingRequest(providerIds, token, slot) {
  let i = 0;
  return {
    method: "POST",
    path: "/booking/bookings",
    setupRequest(req) {
      const providerId = providerIds[i++ % providerIds.length];
      return {
        ...req,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify({ provider_id: providerId, service_type: "driver", ...slot(providerId) }),
      };
    },
  };
}

/**
 * Waits until the stack is idle again after a heavy setup (its bookings' notifications drain through the queue
 * on the same cores), judged by GET /health answering as fast as on a quiet stack. Gives up after `maxS`.
 */
export async function quiet(base, { maxS = 90, idleMs = 4 } = {}) {
  const until = Date.now() + maxS * 1000;
  while (Date.now() < until) {
    const times = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await (await fetch(`${base}/health`)).arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    if (times[7] < idleMs) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}
