// Idempotent dev seed: the test-number users and provider 1 (a verified driver in Gulshan, Dhaka, bookable any hour).
import pg from "pg";
import { ALWAYS, storedWeekRanges, weeklyRanges } from "../lib/availability.ts";
import { DEFAULT_DATABASE_URL } from "./db.mjs";
import { seedProviders } from "./seed-providers.mjs";

/** `npm run dev` keeps at least this many generated providers, so search has something to find. */
export const DEV_PROVIDERS = 3000;

/** Dev test numbers (code 123456 in development). Documented in README.md. */
export const TEST_USERS = [
  { phone: "+8801700000001", role: "customer", name: "Demo Customer", lang: "en" },
  { phone: "+8801700000002", role: "provider", name: "Rahim Uddin", lang: "bn" },
  { phone: "+8801700000003", role: "customer", name: "Second Customer", lang: "bn" },
  { phone: "+8801700000009", role: "admin", name: "Kormo Admin", lang: "en" },
];

export async function seedDev(url = DEFAULT_DATABASE_URL) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    const ids = {};
    for (const u of TEST_USERS) {
      const { rows } = await client.query(
        `INSERT INTO users (phone, role, name, lang) VALUES ($1, $2, $3, $4)
         ON CONFLICT (phone) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name
         RETURNING id`,
        [u.phone, u.role, u.name, u.lang],
      );
      ids[u.phone] = rows[0].id;
    }
    // Provider 1 is a fixed point of the quickstart: id 1, verified, driver, Gulshan 2.
    await client.query(
      // No rating of its own: provider 1 starts at the Bayesian prior and earns its rating from published reviews.
      `INSERT INTO providers (id, user_id, display_name, bio, languages, location, service_radius_km,
                              division, district, area, verification_status)
       VALUES (1, $1, 'Rahim Uddin', 'Professional driver, 8 years in Dhaka traffic. পেশাদার চালক।', '{bn,en}',
               ST_SetSRID(ST_MakePoint(90.4152, 23.7925), 4326)::geography, 15, 'Dhaka', 'Dhaka', 'Gulshan',
               'verified')
       ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, verification_status = 'verified',
                                      location = EXCLUDED.location`,
      [ids["+8801700000002"]],
    );
    await client.query(
      `INSERT INTO provider_services (provider_id, service_type, price_poisha, unit)
       VALUES (1, 'driver', 25000, 'hour')
       ON CONFLICT (provider_id, service_type) DO UPDATE SET price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit`,
    );
    // Around the clock, every day (Asia/Dhaka), so the quickstart works at any hour.
    await client.query("UPDATE providers SET weekly_schedule = $1 WHERE id = 1", [JSON.stringify(ALWAYS)]);
    await client.query("DELETE FROM provider_schedule WHERE provider_id = 1");
    for (const [lo, hi] of storedWeekRanges(weeklyRanges(ALWAYS))) {
      await client.query("INSERT INTO provider_schedule (provider_id, week_minutes) VALUES (1, int4range($1, $2))", [
        lo,
        hi,
      ]);
    }
    // Explicit ids do not advance identity sequences; keep them ahead so generated ids never collide.
    await client.query(
      "SELECT setval(pg_get_serial_sequence('providers', 'id'), GREATEST((SELECT max(id) FROM providers), 1))",
    );
    await client.query("COMMIT");
    return { users: ids, providerId: 1 };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

/**
 * Push tokens the FCM simulator takes, for the verified drivers within 5 km of provider 1 in Gulshan: a driver
 * request in the matching quickstart then reaches their phones too, each at `sim-provider-<id>`. Provider 1
 * registers its own device in the quickstart. Idempotent.
 */
export async function seedDemoDevices(client) {
  await client.query(`
    INSERT INTO user_devices (push_token, user_id, platform)
    SELECT 'sim-provider-' || p.id, p.user_id, 'android'
      FROM providers p JOIN provider_services s ON s.provider_id = p.id AND s.service_type = 'driver'
     WHERE p.id <> 1 AND p.verification_status = 'verified'
       AND ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(90.4152, 23.7925), 4326)::geography, 5000)
    ON CONFLICT (push_token) DO NOTHING`);
}

/** The dev seed plus generated providers up to `providers`. */
export async function seedAll(url, providers = DEV_PROVIDERS, log = () => {}) {
  const out = await seedDev(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedProviders(client, providers, { log });
    await seedDemoDevices(client);
  } finally {
    await client.end();
  }
  return out;
}

// `npm run seed -- --providers 100000`
if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--providers");
  const n = i > 0 ? Number(process.argv[i + 1]) : DEV_PROVIDERS;
  if (!Number.isInteger(n) || n < 0) {
    console.error("✘ --providers takes a whole number, e.g. npm run seed -- --providers 100000");
    process.exit(1);
  }
  try {
    const out = await seedAll(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, n, (m) => console.log(`[seed] ${m}`));
    console.log(
      `[seed] ${Object.keys(out.users).length} test users, provider ${out.providerId}, ${n} generated providers`,
    );
  } catch (err) {
    console.error(`✘ seed failed: ${err.message}`);
    process.exit(1);
  }
}
