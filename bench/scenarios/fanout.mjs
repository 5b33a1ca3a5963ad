// Scenario: booking events through the queue to FCM. Bookings are created under load for providers with a
// registered device; each push's arrival at the FCM simulator is matched to its outbox event, giving the
// end-to-end latency from the committed transition to FCM receipt, and the delivered event rate.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { bookableProviders, createBookingRequest, customerToken, slotMaker } from "../lib/booking.mjs";
import { DATABASE_URL } from "../lib/places.mjs";
import { mintAccessToken } from "../lib/tokens.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const FCM_SIM = process.env.FCM_SIM_URL ?? "http://127.0.0.1:8092";
const PROVIDERS = 24;

/**
 * Earlier scenarios leave the queue busy (every booking they created notifies its provider). Measure on a drained
 * queue: book once and wait until that push reaches the simulator.
 */
async function drained(base, customer, provider, token, slot) {
  const before = await pushCount(token);
  await fetch(`${base}/booking/bookings`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${customer}`,
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify({ provider_id: provider.id, service_type: "driver", ...slot(provider.id) }),
  });
  const until = Date.now() + 180_000;
  while (Date.now() < until && (await pushCount(token)) <= before) await new Promise((r) => setTimeout(r, 500));
}

async function pushCount(token) {
  const res = await fetch(`${FCM_SIM}/__sim/messages?token=${token}`);
  return (await res.json()).messages.length;
}

export default {
  name: "fanout",
  description: "POST /booking/bookings -> outbox -> queue -> notifications worker -> FCM messages:send (simulator)",
  // Two connections create ~40 bookings a second here: far above a marketplace's real booking rate, and inside
  // what one local consumer drains. At 8 connections (~110/s) it falls behind: see README, "Notifications".
  connections: 2,
  duration_s: 10,
  target: "end-to-end p95 < 2 s (commit to FCM receipt), every event delivered",
  async setup({ base }) {
    const providers = await bookableProviders(PROVIDERS);
    const tag = `bench-${Date.now()}`;
    const tokens = new Map();
    // Devices belong to a live session (ending it unregisters them): open one per provider for the minted token.
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    for (const p of providers) {
      const { rows } = await db.query(
        "INSERT INTO auth_sessions (user_id, device_id, platform) VALUES ($1, 'bench', 'android') RETURNING id::text",
        [p.user_id],
      );
      const token = await mintAccessToken(root, { userId: p.user_id, role: "provider", sessionId: rows[0].id });
      tokens.set(p.id, token);
      await fetch(`${base}/provider/devices/register`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ push_token: `${tag}-${p.id}`, platform: "android" }),
      });
    }
    await db.end();
    const customer = await customerToken(base);
    const slot = slotMaker(1);
    await drained(base, customer, providers[0], `${tag}-${providers[0].id}`, slot);
    const startedAt = new Date();
    return {
      requests: [
        createBookingRequest(
          providers.map((p) => p.id),
          customer,
          slot,
        ),
      ],
      async compare() {
        // Let the last batches drain (batch timeout 1 s), then match every push to its event.
        await new Promise((r) => setTimeout(r, 3_000));
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        const { rows } = await client.query(
          `SELECT event_id::text, extract(epoch FROM created_at) * 1000 AS committed_ms FROM outbox
            WHERE created_at >= $1 AND payload->>'type' = 'booking.created' AND partition_key = ANY($2::text[])`,
          [startedAt, providers.map((p) => String(p.id))],
        );
        await client.end();
        const received = new Map();
        for (const p of providers) {
          const res = await fetch(`${FCM_SIM}/__sim/messages?token=${tag}-${p.id}`);
          for (const m of (await res.json()).messages) received.set(m.data.event_id, m.received_at);
        }
        // The run's devices go again, so the next run's providers have exactly one device each.
        for (const p of providers) {
          await fetch(`${base}/notifications/devices`, {
            method: "DELETE",
            headers: { "content-type": "application/json", authorization: `Bearer ${tokens.get(p.id)}` },
            body: JSON.stringify({ push_token: `${tag}-${p.id}` }),
          });
        }
        const lat = rows
          .filter((r) => received.has(r.event_id))
          .map((r) => received.get(r.event_id) - Number(r.committed_ms));
        lat.sort((a, b) => a - b);
        const pct = (q) => (lat.length ? Math.round(lat[Math.max(0, Math.ceil((q / 100) * lat.length) - 1)]) : null);
        const span = (Date.now() - startedAt.getTime()) / 1000;
        const out = {
          events: rows.length,
          delivered: lat.length,
          p50_ms: pct(50),
          p95_ms: pct(95),
          p99_ms: pct(99),
          delivered_per_s: +(lat.length / span).toFixed(1),
        };
        return {
          ...out,
          text: `${out.delivered}/${out.events} events pushed; commit -> FCM p50 ${out.p50_ms} ms, p95 ${out.p95_ms} ms, p99 ${out.p99_ms} ms; ${out.delivered_per_s} events/s`,
        };
      },
      check({ target, comparison }) {
        return {
          ok:
            target.errors === 0 &&
            target.non2xx === 0 &&
            typeof comparison?.p95_ms === "number" &&
            comparison.p95_ms < 2000 &&
            comparison.delivered === comparison.events,
          text: `end-to-end p95 ${comparison?.p95_ms} ms (limit 2000), ${comparison?.delivered}/${comparison?.events} delivered`,
        };
      },
    };
  },
};
