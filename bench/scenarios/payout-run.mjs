// Scenario: a payout run over 5 000 providers with earnings, against the bKash disbursement simulator: the time
// for the whole run and payouts per second, and that each provider was paid exactly once. The autocannon target is
// a provider reading their earnings (derived from the journal) beside /health.
import { request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { DATABASE_URL } from "../lib/places.mjs";
import { mintAccessToken } from "../lib/tokens.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const PROVIDERS = Number(process.env.PAYOUT_PROVIDERS ?? 5000);

/**
 * 5 000 fresh providers, each with one card job completed four days ago (past the dispute window), its payment
 * captured, and a verified bKash payout account. Everything goes through the same tables and triggers as the app,
 * so the journal is what a real history would have written.
 */
async function seed(client, tag) {
  await client.query("BEGIN");
  await client.query(
    `WITH u AS (
       INSERT INTO users (phone, role)
       SELECT '+88019' || lpad((($1::bigint * 10000 + g) % 100000000)::text, 8, '0'), 'provider'
         FROM generate_series(1, $2) g
       ON CONFLICT (phone) DO UPDATE SET role = 'provider' RETURNING id
     ), p AS (
       INSERT INTO providers (user_id, display_name, location, verification_status)
       SELECT id, 'Payout bench', ST_SetSRID(ST_MakePoint(90.4, 23.8), 4326)::geography, 'verified' FROM u
       ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name RETURNING id
     )
     INSERT INTO payout_accounts (provider_id, method, msisdn, verified_at)
     SELECT id, 'bkash', '+88017' || lpad((id % 100000000)::text, 8, '0'), now() FROM p
     ON CONFLICT (provider_id) DO UPDATE SET verified_at = now()`,
    [tag, PROVIDERS],
  );
  const { rows: providers } = await client.query(
    `SELECT p.id FROM providers p JOIN users u ON u.id = p.user_id
      WHERE p.display_name = 'Payout bench' AND u.phone LIKE '+88019%' ORDER BY p.id DESC LIMIT $1`,
    [PROVIDERS],
  );
  const { rows: customers } = await client.query(
    "INSERT INTO users (phone) VALUES ('+88018' || lpad(($1::bigint % 100000000)::text, 8, '0')) ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id",
    [tag],
  );
  const ids = providers.map((r) => r.id);
  // A job years back per provider, then its capture and completion: the triggers post the journal as in the app.
  await client.query(
    `WITH b AS (
       INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha, payment_method)
       SELECT $1, pid, 'driver', now() - interval '4 days 3 hours', now() - interval '4 days 1 hour', 'CONFIRMED', 100000, 'card'
         FROM unnest($2::bigint[]) pid
       RETURNING id
     ), y AS (
       INSERT INTO payments (booking_id, gateway, status, amount_poisha, captured_poisha)
       SELECT id, 'stripe', 'captured', 100000, 100000 FROM b RETURNING id
     )
     INSERT INTO payment_events (payment_id, kind, amount_poisha) SELECT id, 'capture', 100000 FROM y`,
    [customers[0].id, ids],
  );
  await client.query(
    "UPDATE bookings SET status = 'COMPLETED' WHERE provider_id = ANY($1::bigint[]) AND status = 'CONFIRMED'",
    [ids],
  );
  await client.query("UPDATE bookings SET ended_at = now() - interval '4 days' WHERE provider_id = ANY($1::bigint[])", [
    ids,
  ]);
  await client.query("COMMIT");
  return ids;
}

/** POST {} and wait as long as it takes. */
function postLong(url, token) {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": 2 },
    });
    req.setTimeout(0);
    req.on("response", (r) => {
      let text = "";
      r.on("data", (d) => {
        text += d;
      });
      r.on("end", () => resolve({ status: r.statusCode, body: JSON.parse(text || "{}") }));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

export default {
  name: "payout-run",
  description: `a payout run over ${PROVIDERS} providers with earnings, through bKash B2C (simulator)`,
  connections: 16,
  duration_s: 10,
  target: "every provider paid exactly once; report the run's time and payouts/s; earnings read p95 vs /health",
  async setup({ base }) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const tag = Math.floor(Math.random() * 9000) + 1000;
    const t0 = performance.now();
    const ids = await seed(client, tag);
    const seedS = (performance.now() - t0) / 1000;
    const { rows: admins } = await client.query("SELECT id FROM users WHERE phone = '+8801700000009'");
    const { rows: someUser } = await client.query("SELECT user_id FROM providers WHERE id = $1", [ids[0]]);
    const admin = await mintAccessToken(root, { userId: admins[0].id, role: "admin" });
    const reader = await mintAccessToken(root, { userId: someUser[0].user_id, role: "provider" });
    return {
      method: "GET",
      path: "/payments/earnings",
      headers: { authorization: `Bearer ${reader}` },
      async compare() {
        const started = performance.now();
        // An admin's "pay now" for everyone: the same fan-out the weekly cron runs.
        // node:http, not fetch: a full run answers after minutes, past fetch's five-minute header timeout.
        const res = await postLong(`${base}/payments/payouts/run`, admin);
        const body = res.body;
        const runS = (performance.now() - started) / 1000;
        const { rows: counts } = await client.query(
          `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*)::int AS payouts,
                  count(DISTINCT provider_id) FILTER (WHERE status = 'sent')::int AS providers,
                  (SELECT count(*)::int FROM (SELECT provider_id FROM payouts WHERE provider_id = ANY($1::bigint[])
                     AND status = 'sent' GROUP BY provider_id HAVING count(*) > 1) x) AS twice
             FROM payouts WHERE provider_id = ANY($1::bigint[])`,
          [ids],
        );
        const { rows: unbalanced } = await client.query(
          "SELECT count(*)::int AS n FROM (SELECT entry_id FROM ledger_lines GROUP BY entry_id HAVING sum(amount_poisha) <> 0) x",
        );
        await client.end();
        const c = counts[0];
        return {
          run_s: Number(runS.toFixed(1)),
          payouts_per_s: Number((c.sent / runS).toFixed(1)),
          sent: c.sent,
          payouts: c.payouts,
          providers: c.providers,
          unbalanced: unbalanced[0].n,
          twice: c.twice,
          status: res.status,
          started: body.items?.length ?? 0,
          text:
            `seeded ${ids.length} providers in ${seedS.toFixed(1)} s; run answered ${res.status} after ${runS.toFixed(1)} s: ` +
            `${c.sent} sent to ${c.providers} providers (${c.payouts} payout rows, ${c.twice} paid twice; ` +
            `${(c.sent / runS).toFixed(1)} payouts/s); ` +
            `${unbalanced[0].n} unbalanced entries`,
        };
      },
      check({ target, ratio, comparison }) {
        // A scheduled run may start beside the admin's (the dev stack's cron): each provider is still paid once.
        const once =
          comparison && comparison.sent === PROVIDERS && comparison.providers === PROVIDERS && comparison.twice === 0;
        return {
          ok: Boolean(once) && comparison.unbalanced === 0 && target.errors === 0 && target.non2xx === 0,
          text: `${comparison?.sent}/${PROVIDERS} paid once in ${comparison?.run_s} s (${comparison?.payouts_per_s}/s); earnings read p95 ${ratio.p95}x /health`,
        };
      },
    };
  },
};
