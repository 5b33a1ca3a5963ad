// Scenario: masked chat under load. 200 open WebSockets across 100 conversations; each conversation sends in turn
// (customer, then provider …) and the time from send to the other side's receive is measured, beside /health in
// the same run. The autocannon target is the REST send (stored, then broadcast to the open sockets). It also reports
// the first message after the sockets sat idle (a hibernated object waking) and one object's fan-out to many sockets.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import WebSocket from "ws";
import { bookableProviders, slotMaker } from "../lib/booking.mjs";
import { DATABASE_URL } from "../lib/places.mjs";
import { mintAccessToken } from "../lib/tokens.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CONVERSATIONS = 100;
/** Round trips per conversation over the sockets (half each way): well inside the per-minute limit per sender. */
const ROUND_TRIPS = 20;
/** REST sends per conversation (the autocannon target), by the customer. */
const REST_SENDS = 10;
const IDLE_S = Number(process.env.CHAT_IDLE_S ?? 15);
const FANOUT_SOCKETS = Number(process.env.CHAT_FANOUT_SOCKETS ?? 500);

const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
const round = (n) => (n === null ? null : Number(n.toFixed(2)));
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)) };
};

/** 100 customers, each with a PENDING booking of a seeded driver (conversations are open from creation). */
async function conversations(n) {
  // A provider may be in several conversations (the dev seed has about 50 drivers open around the clock).
  const drivers = await bookableProviders(Math.min(n, 40));
  const providers = Array.from({ length: n }, (_, i) => drivers[i % drivers.length]);
  const slot = slotMaker(2);
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const out = [];
    for (const p of providers) {
      const phone = `+88019${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
      const { rows: users } = await client.query(
        "INSERT INTO users (phone) VALUES ($1) ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id::int",
        [phone],
      );
      const w = slot(p.id);
      const { rows: bookings } = await client.query(
        `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, price_poisha)
         VALUES ($1, $2, 'driver', $3, $4, 50000) RETURNING id::int`,
        [users[0].id, p.id, w.start_date, w.end_date],
      );
      out.push({ bookingId: bookings[0].id, customer: users[0].id, provider: p.user_id });
    }
    return out;
  } finally {
    await client.end();
  }
}

async function ticket(base, bookingId, token) {
  const res = await fetch(`${base}/chat/bookings/${bookingId}/ticket`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 201) throw new Error(`ticket answered ${res.status}`);
  return (await res.json()).ticket;
}

/** An open socket that resolves waiters by client_id as its message frames arrive. */
async function socket(base, bookingId, token) {
  const t = await ticket(base, bookingId, token);
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/chat/bookings/${bookingId}/ws?ticket=${t}`);
  const waiting = new Map();
  ws.on("message", (data) => {
    const f = JSON.parse(String(data));
    if (f.type === "message") waiting.get(f.client_id)?.(performance.now());
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    ws,
    /** Resolves with the arrival time of the message with this client_id. */
    expect: (clientId) => new Promise((resolve) => waiting.set(clientId, resolve)),
  };
}

/** One round: `from` sends, `to` receives; the latency is send -> the other side's frame. */
async function roundTrip(from, to, text) {
  const id = `b-${crypto.randomUUID()}`;
  const arrived = to.expect(id);
  const t0 = performance.now();
  from.ws.send(JSON.stringify({ type: "send", client_id: id, text }));
  return (await arrived) - t0;
}

export default {
  name: "chat-roundtrip",
  description: `${CONVERSATIONS * 2} WebSockets in ${CONVERSATIONS} conversations: send -> the other side's receive`,
  connections: CONVERSATIONS,
  duration_s: 10,
  amount: CONVERSATIONS * REST_SENDS,
  target: "socket round trip p95 <= 2x the /health p95 (same run); REST send reported beside it",
  async setup({ base }) {
    const convs = await conversations(CONVERSATIONS);
    for (const c of convs) {
      c.customerToken = await mintAccessToken(root, { userId: c.customer, role: "customer" });
      c.providerToken = await mintAccessToken(root, { userId: c.provider, role: "provider" });
    }
    const sockets = [];
    for (const c of convs) {
      c.c = await socket(base, c.bookingId, c.customerToken);
      c.p = await socket(base, c.bookingId, c.providerToken);
      sockets.push(c.c.ws, c.p.ws);
    }
    let i = 0;
    const closeAll = () => {
      for (const ws of sockets) ws.close(1000);
    };
    return {
      requests: [
        {
          method: "POST",
          setupRequest: (req) => {
            const c = convs[i++ % convs.length];
            return {
              ...req,
              path: `/chat/bookings/${c.bookingId}/messages`,
              headers: { "content-type": "application/json", authorization: `Bearer ${c.customerToken}` },
              body: JSON.stringify({ client_id: `r-${crypto.randomUUID()}`, text: "আমি গেটে আছি, ৫ মিনিট" }),
            };
          },
        },
      ],
      async compare() {
        // Every conversation at once, each sending in turn, so 100 round trips are in flight at any moment.
        const ms = [];
        await Promise.all(
          convs.map(async (c) => {
            for (let k = 0; k < ROUND_TRIPS; k++) {
              const [from, to] = k % 2 ? [c.p, c.c] : [c.c, c.p];
              ms.push(await roundTrip(from, to, k % 2 ? "ঠিক আছে, আসছি" : "Where are you? call 017 1234 5678"));
            }
          }),
        );
        const live = summary(ms);
        // Idle long enough for the objects to hibernate, then one message per conversation: the wake.
        await new Promise((r) => setTimeout(r, IDLE_S * 1000));
        const wake = summary(await Promise.all(convs.map((c) => roundTrip(c.c, c.p, "back again"))));
        // One object, many sockets: one message broadcast to FANOUT_SOCKETS listeners of the same conversation.
        const c0 = convs[0];
        const many = [];
        for (let k = 0; k < FANOUT_SOCKETS; k++) many.push(await socket(base, c0.bookingId, c0.providerToken));
        const id = `f-${crypto.randomUUID()}`;
        const arrivals = many.map((s) => s.expect(id));
        const t0 = performance.now();
        c0.c.ws.send(JSON.stringify({ type: "send", client_id: id, text: "everyone there?" }));
        const fan = summary((await Promise.all(arrivals)).map((t) => t - t0));
        for (const s of many) s.ws.close(1000);
        closeAll();
        return {
          live,
          wake,
          fanout: { sockets: FANOUT_SOCKETS, ...fan },
          text:
            `socket round trip p50 ${live.p50} / p95 ${live.p95} / p99 ${live.p99} ms over ${live.n}; after ${IDLE_S} s ` +
            `idle p50 ${wake.p50} / p95 ${wake.p95} ms; one object broadcasting to ${FANOUT_SOCKETS} sockets: last ` +
            `arrival ${fan.p99} ms (p50 ${fan.p50})`,
        };
      },
      check({ baseline, target, comparison }) {
        const r = comparison && baseline.p95 ? round(comparison.live.p95 / baseline.p95) : null;
        const restR = baseline.p95 && target.p95 ? round(target.p95 / baseline.p95) : null;
        return {
          ok: r !== null && r <= 2 && target.errors === 0 && target.non2xx === 0,
          text: `socket round trip p95 ${r}x the /health p95 (limit 2x); REST send p95 ${restR}x; ${target.errors} errors, ${target.non2xx} non-2xx`,
        };
      },
    };
  },
};
