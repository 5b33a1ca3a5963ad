// Matching benchmarks: customers of the run, request bodies, a fleet of simulated providers that answer their offers
// through the API after a random delay, and the run's outcome read back from Postgres (server-side timestamps).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { DATABASE_URL } from "./places.mjs";
import { mintAccessToken } from "./tokens.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DHAKA_MS = 6 * 3_600_000;

const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
const round = (n) => (n === null || n === undefined ? null : Number(n.toFixed(1)));
export const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), max: round(s.at(-1) ?? null) };
};

/** `n` fresh customers of this run (numbers +88016…, which neither the seed nor the tests use), with tokens. */
export async function benchCustomers(n) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const out = [];
    for (let i = 0; i < n; i++) {
      const phone = `+88016${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
      const { rows } = await client.query(
        "INSERT INTO users (phone) VALUES ($1) ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id::int",
        [phone],
      );
      out.push({ id: rows[0].id, token: await mintAccessToken(root, { userId: rows[0].id, role: "customer" }) });
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * A two-hour window at 10:00 Dhaka time on a random day years ahead (inside the dev stack's horizon), never a
 * Friday: most seeded providers work Saturday to Thursday, 09:00-18:00.
 */
export function randomWindow(rand = Math.random) {
  let day = Date.UTC(2029, 0, 1) + Math.floor(rand() * 2500) * 86_400_000;
  if (new Date(day + DHAKA_MS).getUTCDay() === 5) day += 86_400_000;
  const start = day + 10 * 3_600_000 - DHAKA_MS;
  return { start_date: new Date(start).toISOString(), end_date: new Date(start + 2 * 3_600_000).toISOString() };
}

const SERVICES = ["driver", "housekeeper", "cook", "electrician", "nanny"];

/** A point in Dhaka where the seed is dense, and a service. */
export function dhakaJob(rand = Math.random) {
  return {
    service_type: SERVICES[Math.floor(rand() * SERVICES.length)],
    location: {
      lat: +(23.7808 + (rand() * 2 - 1) * 0.06).toFixed(5),
      lng: +(90.4093 + (rand() * 2 - 1) * 0.06).toFixed(5),
    },
  };
}

/** The autocannon request that posts the next body in turn, as the next customer, under a fresh key. */
export function createRequests(customers, body) {
  let i = 0;
  return {
    method: "POST",
    path: "/booking/requests",
    setupRequest(req) {
      const c = customers[i++ % customers.length];
      return {
        ...req,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${c.token}`,
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify(body()),
      };
    },
  };
}

/**
 * Simulated providers: every `pollMs` the open offers of this run's requests are read (standing in for the push
 * each provider's phone gets), and each offer is answered once through the API, as its provider, after a random
 * delay: accepted with probability `accept`, declined with `decline`, otherwise left to run out.
 */
export function startFleet(
  base,
  customerIds,
  { accept = 0.7, decline = 0.15, delayMs = [1000, 8000], pollMs = 200 } = {},
) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  const seen = new Set();
  const tokens = new Map();
  const timers = new Set();
  const counts = { offers: 0, accepts: 0, won: 0, lost: 0, declines: 0, ignored: 0, errors: 0 };
  let stopped = false;
  const tokenOf = async (userId) => {
    if (!tokens.has(userId)) tokens.set(userId, await mintAccessToken(root, { userId, role: "provider" }));
    return tokens.get(userId);
  };
  const answer = async (o, verb) => {
    try {
      const res = await fetch(`${base}/booking/offers/${o.id}/${verb}`, {
        method: "POST",
        headers: { authorization: `Bearer ${await tokenOf(o.user_id)}` },
      });
      await res.arrayBuffer();
      if (verb === "accept") {
        if (res.status === 200) counts.won++;
        else if (res.status === 409) counts.lost++;
        else counts.errors++;
      } else if (res.status !== 200 && res.status !== 409) counts.errors++;
    } catch {
      counts.errors++;
    }
  };
  const poll = async () => {
    const { rows } = await client.query(
      `SELECT o.id::int, p.user_id::int FROM job_offers o JOIN job_requests r ON r.id = o.request_id
         JOIN providers p ON p.id = o.provider_id
        WHERE o.status = 'open' AND r.customer_id = ANY($1::bigint[])`,
      [customerIds],
    );
    for (const o of rows) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      counts.offers++;
      const x = Math.random();
      const verb = x < accept ? "accept" : x < accept + decline ? "decline" : null;
      if (!verb) {
        counts.ignored++;
        continue;
      }
      counts[verb === "accept" ? "accepts" : "declines"]++;
      const t = setTimeout(
        () => {
          timers.delete(t);
          void answer(o, verb);
        },
        delayMs[0] + Math.random() * (delayMs[1] - delayMs[0]),
      );
      timers.add(t);
    }
  };
  const ready = client.connect();
  const loop = (async () => {
    await ready;
    while (!stopped) {
      await poll().catch(() => {
        counts.errors++;
      });
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    counts,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await loop;
      await client.end();
    },
  };
}

/** Waits until none of the run's requests is still SEARCHING (the search time bounds it), or `maxMs` passes. */
export async function waitSettled(customerIds, maxMs) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const until = Date.now() + maxMs;
    for (;;) {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM job_requests WHERE customer_id = ANY($1::bigint[]) AND status = 'SEARCHING'",
        [customerIds],
      );
      if (rows[0].n === 0 || Date.now() > until) return rows[0].n;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await client.end();
  }
}

/** How the run's requests ended: time to MATCHED (created → matched, Postgres's clock), offers per match, waves. */
export async function outcome(customerIds) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT r.status, r.wave, extract(epoch FROM r.closed_at - r.created_at) * 1000 AS ms,
              (SELECT count(*)::int FROM job_offers o WHERE o.request_id = r.id) AS offers
         FROM job_requests r WHERE r.customer_id = ANY($1::bigint[])`,
      [customerIds],
    );
    const matched = rows.filter((r) => r.status === "MATCHED");
    const by = (s) => rows.filter((r) => r.status === s).length;
    return {
      requests: rows.length,
      matched: matched.length,
      no_provider: by("NO_PROVIDER"),
      searching: by("SEARCHING"),
      time_to_match_ms: summary(matched.map((r) => Number(r.ms))),
      offers_per_match: summary(matched.map((r) => r.offers)),
      waves_per_match: summary(matched.map((r) => r.wave)),
    };
  } finally {
    await client.end();
  }
}

/** Providers with two active bookings overlapping one another among the run's matches: must be none. */
export async function doubleBooked(customerIds) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
          ON a.provider_id = b.provider_id AND a.id < b.id AND a.booking_window && b.booking_window
       WHERE a.status IN ('PENDING', 'ACCEPTED', 'CONFIRMED') AND b.status IN ('PENDING', 'ACCEPTED', 'CONFIRMED')
         AND (a.customer_id = ANY($1::bigint[]) OR b.customer_id = ANY($1::bigint[]))`,
      [customerIds],
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}
