// Scenario: reviews of completed bookings, both sides in turn: the customer's review (blind: claim the key, read the
// booking, one submit_review statement) and then the provider's, which also publishes both, recomputes the
// provider's rating and trust score, drops their cached searches and sends the events. Setup seeds the completed
// jobs straight into Postgres (as the completing statement leaves them: paid in cash, their windows open).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { login, ratioCheck } from "../lib/auth.mjs";
import { bookableProviders } from "../lib/booking.mjs";
import { DATABASE_URL } from "../lib/places.mjs";
import { mintAccessToken } from "../lib/tokens.mjs";
import { PROVIDERS } from "./booking-create.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** More jobs than a run can review (two requests each), so the queue never runs dry. */
const JOBS = 8_000;
const CUSTOMER = "+8801700000003";

/** Completed cash jobs of `customerId` with each provider in turn, their review windows open, as fresh ids. */
async function seedJobs(providers, customerId) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query(
      `WITH p AS (SELECT * FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, k)),
       b AS (
         INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha,
                               unit_price_poisha, unit)
         SELECT $2, p.id, 'driver', now() - make_interval(hours => 2 * g + 2), now() - make_interval(hours => 2 * g + 1),
                'COMPLETED', 25000, 25000, 'hour'
           FROM generate_series(1, $3::int) g JOIN p ON p.k = 1 + (g % cardinality($1::bigint[]))
         RETURNING id, provider_id)
       SELECT id::int, provider_id::int FROM b ORDER BY id`,
      [providers.map((p) => p.id), customerId, JOBS],
    );
    const ids = rows.map((r) => r.id);
    await client.query(
      `INSERT INTO payments (booking_id, gateway, status, amount_poisha, captured_poisha)
       SELECT id, 'cash', 'captured', 25000, 25000 FROM unnest($1::bigint[]) id`,
      [ids],
    );
    await client.query(
      `INSERT INTO review_windows (booking_id, provider_id, customer_id, completed_at, requested_at)
       SELECT b.id, b.provider_id, b.customer_id, now(), now() FROM bookings b WHERE b.id = ANY($1::bigint[])`,
      [ids],
    );
    await client.query("COMMIT");
    return rows;
  } finally {
    await client.end();
  }
}

export default {
  name: "review-submit",
  description:
    "POST /booking/bookings/{id}/review, customer then provider per job: the second publishes both, re-rates and re-scores",
  connections: 16,
  duration_s: 10,
  // The issue asks for the ratio; the goal below is the one writes through the booking engine meet (booking-create).
  target: "p95 <= 4x baseline, no errors",
  async setup({ base }) {
    const customer = await login(base, CUSTOMER);
    const providers = await Promise.all(
      (await bookableProviders(PROVIDERS)).map(async (p) => ({
        ...p,
        token: await mintAccessToken(root, { userId: p.user_id, role: "provider" }),
      })),
    );
    const tokenOf = new Map(providers.map((p) => [p.id, p.token]));
    const jobs = await seedJobs(providers, customer.user.id);
    // customer, provider, customer, provider…: every second request is the one that publishes.
    let i = 0;
    return {
      requests: [
        {
          method: "POST",
          setupRequest(req) {
            const job = jobs[Math.floor(i / 2) % jobs.length];
            const provider = i % 2 === 1;
            i++;
            return {
              ...req,
              path: `/booking/bookings/${job.id}/review`,
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${provider ? tokenOf.get(job.provider_id) : customer.access_token}`,
                "idempotency-key": crypto.randomUUID(),
              },
              body: JSON.stringify(
                provider
                  ? { rating: 4, text: "Polite and paid on time." }
                  : {
                      rating: 5,
                      text: "On time, careful driver.",
                      ratings: { punctuality: 5, quality: 5, behaviour: 4 },
                    },
              ),
            };
          },
        },
      ],
      check: ratioCheck("p95", 4),
    };
  },
};
