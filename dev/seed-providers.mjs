// Generates realistic providers around Dhaka, Chattogram, Sylhet, Khulna and Rajshahi, set-based in SQL so
// 100 000 of them seed in seconds. Generated users have phones +88019XXXXXXXX; running again tops up to N.
// Node 22 strips TypeScript types natively: the seed shares the app's own encoding of weekly plans.
import { storedWeekRanges, weeklyRanges } from "../lib/availability.ts";

const CITIES = [
  // name, lat, lng, spread (degrees), share
  ["Dhaka", 23.7808, 90.4093, 0.09, 0.5],
  ["Chattogram", 22.3475, 91.8123, 0.07, 0.2],
  ["Sylhet", 24.8949, 91.8687, 0.05, 0.1],
  ["Khulna", 22.8456, 89.5403, 0.05, 0.1],
  ["Rajshahi", 24.3745, 88.6042, 0.05, 0.1],
];

const NAMES = [
  ["Rahim Uddin", "রহিম উদ্দিন"],
  ["Karim Mia", "করিম মিয়া"],
  ["Fatema Begum", "ফাতেমা বেগম"],
  ["Ayesha Akter", "আয়েশা আক্তার"],
  ["Jamal Hossain", "জামাল হোসেন"],
  ["Nasrin Sultana", "নাসরিন সুলতানা"],
  ["Abdul Kader", "আবদুল কাদের"],
  ["Shirin Khatun", "শিরিন খাতুন"],
  ["Mizanur Rahman", "মিজানুর রহমান"],
  ["Rokeya Parvin", "রোকেয়া পারভীন"],
  ["Habibur Rahman", "হাবিবুর রহমান"],
  ["Salma Khanam", "সালমা খানম"],
  ["Kamrul Islam", "কামরুল ইসলাম"],
  ["Taslima Nasrin", "তাসলিমা নাসরিন"],
  ["Delwar Hossain", "দেলোয়ার হোসেন"],
  ["Morium Begum", "মরিয়ম বেগম"],
  ["Shahidul Alam", "শহিদুল আলম"],
  ["Rina Das", "রিনা দাস"],
  ["Bimal Chandra", "বিমল চন্দ্র"],
  ["Anwar Hossain", "আনোয়ার হোসেন"],
];

// service, unit, base price (poisha), spread
const SERVICES = [
  ["driver", "hour", 25000, 10000],
  ["housekeeper", "hour", 12000, 5000],
  ["cook", "hour", 15000, 6000],
  ["nanny", "hour", 14000, 6000],
  ["electrician", "visit", 60000, 30000],
  ["plumber", "visit", 55000, 25000],
  ["caregiver", "day", 150000, 60000],
  ["cleaner", "hour", 10000, 4000],
  ["tutor", "hour", 40000, 20000],
  ["ac_technician", "visit", 90000, 40000],
];

const PATTERNS = {
  // Saturday to Thursday, 09:00-18:00 (Friday off).
  office: ["sat", "sun", "mon", "tue", "wed", "thu"].map((day) => ({ day, start: "09:00", end: "18:00" })),
  long: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => ({ day, start: "07:00", end: "22:00" })),
  always: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => ({ day, start: "00:00", end: "24:00" })),
};

const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Ensures at least `n` generated providers exist. Returns how many it added. */
export async function seedProviders(client, n, { log = () => {} } = {}) {
  const { rows } = await client.query("SELECT count(*)::int AS c FROM users WHERE phone LIKE '+88019%'");
  const have = rows[0].c;
  if (have >= n) return 0;
  const add = n - have;
  const started = Date.now();
  // A city per provider from the shares above: CASE over the cumulative share, on the row's r_city.
  let cumulative = 0;
  const cities = CITIES.map(([name, lat, lng, spread, share]) => {
    cumulative += share;
    return { name, lat, lng, spread, until: cumulative };
  });
  const pick = (field) =>
    `CASE ${cities.map((c) => `WHEN s.r_city <= ${c.until} THEN ${lit(c[field])}`).join(" ")} ELSE ${lit(cities[0][field])} END`;

  await client.query("BEGIN");
  try {
    // Bulk load: skip per-row triggers (search listings are built once at the end) and FK re-checks.
    await client.query("SET LOCAL session_replication_role = replica");
    await client.query("SELECT setseed(0.4242)");
    await client.query(`CREATE TEMP TABLE seed_new ON COMMIT DROP AS
      SELECT g AS n, random() AS r_city, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
             random() AS r6, random() AS r7
        FROM generate_series(${have + 1}, ${n}) g`);
    await client.query(`ALTER TABLE seed_new ADD COLUMN user_id bigint, ADD COLUMN provider_id bigint`);
    await client.query(`
      WITH ins AS (
        INSERT INTO users (phone, role, name, lang)
        SELECT '+88019' || lpad(n::text, 8, '0'), 'provider', NULL, CASE WHEN r6 < 0.6 THEN 'bn' ELSE 'en' END
          FROM seed_new ORDER BY n
        RETURNING id, phone)
      UPDATE seed_new s SET user_id = ins.id FROM ins WHERE ins.phone = '+88019' || lpad(s.n::text, 8, '0')`);
    const names = `(ARRAY[${NAMES.map(([en]) => lit(en)).join(",")}])`;
    const namesBn = `(ARRAY[${NAMES.map(([, bn]) => lit(bn)).join(",")}])`;
    await client.query(`
      WITH ins AS (
        INSERT INTO providers (user_id, display_name, bio, languages, location, service_radius_km, division, district,
                               area, verification_status, rating_avg, rating_count)
        SELECT s.user_id,
               CASE WHEN s.r6 < 0.4 THEN ${namesBn}[1 + (s.n % ${NAMES.length})] ELSE ${names}[1 + (s.n % ${NAMES.length})] END,
               'Experienced and verified. অভিজ্ঞ ও বিশ্বস্ত।',
               CASE WHEN s.r6 < 0.3 THEN '{bn,en}'::text[] ELSE '{bn}'::text[] END,
               ST_SetSRID(ST_MakePoint(
                 (${pick("lng")})::float8 + (s.r1 + s.r2 - 1) * (${pick("spread")})::float8,
                 (${pick("lat")})::float8 + (s.r3 + s.r4 - 1) * (${pick("spread")})::float8), 4326)::geography,
               (ARRAY[3, 5, 5, 8, 10, 15])[1 + floor(s.r5 * 6)::int],
               ${pick("name")}, ${pick("name")}, NULL,
               CASE WHEN s.r7 < 0.9 THEN 'verified' WHEN s.r7 < 0.95 THEN 'pending' ELSE 'unverified' END,
               round((3.5 + 1.5 * sqrt(s.r2))::numeric, 2), floor(s.r5 * 300)::int
          FROM seed_new s
        RETURNING id, user_id)
      UPDATE seed_new s SET provider_id = ins.id FROM ins WHERE ins.user_id = s.user_id`);
    const services = `(ARRAY[${SERVICES.map(([s]) => lit(s)).join(",")}])`;
    const units = `(ARRAY[${SERVICES.map(([, u]) => lit(u)).join(",")}])`;
    const base = `(ARRAY[${SERVICES.map(([, , b]) => b).join(",")}])`;
    const spread = `(ARRAY[${SERVICES.map(([, , , sp]) => sp).join(",")}])`;
    await client.query(`
      INSERT INTO provider_services (provider_id, service_type, price_poisha, unit)
      SELECT provider_id, ${services}[k], (${base}[k] + (${spread}[k] * (r1 - 0.5)))::bigint / 500 * 500, ${units}[k]
        FROM (SELECT provider_id, r1, 1 + (n % ${SERVICES.length}) AS k FROM seed_new
              UNION ALL
              SELECT provider_id, r2, 1 + ((n * 7 + 3) % ${SERVICES.length}) FROM seed_new WHERE r5 < 0.3) x
      ON CONFLICT DO NOTHING`);
    // Weekly plans: most work office hours, some long days, some around the clock.
    const patternOf = "CASE WHEN r4 < 0.6 THEN 'office' WHEN r4 < 0.85 THEN 'long' ELSE 'always' END";
    for (const [name, slots] of Object.entries(PATTERNS)) {
      await client.query(
        `UPDATE providers p SET weekly_schedule = $1 FROM seed_new s WHERE s.provider_id = p.id AND ${patternOf.replace(/r4/g, "s.r4")} = $2`,
        [JSON.stringify(slots), name],
      );
      for (const [lo, hi] of storedWeekRanges(weeklyRanges(slots))) {
        await client.query(
          `INSERT INTO provider_schedule (provider_id, week_minutes)
           SELECT provider_id, int4range($1, $2) FROM seed_new s WHERE ${patternOf.replace(/r4/g, "s.r4")} = $3`,
          [lo, hi, name],
        );
      }
    }
    await client.query(`
      INSERT INTO search_listings (provider_id, service_type, display_name, price_poisha, unit, rating_avg, rating_count,
                                   location, service_radius_m, verified)
      SELECT p.id, ps.service_type, p.display_name, ps.price_poisha, ps.unit, p.rating_avg, p.rating_count,
             public_point(p.id, p.location),
             p.service_radius_km * 1000, p.verification_status = 'verified'
        FROM seed_new s JOIN providers p ON p.id = s.provider_id JOIN provider_services ps ON ps.provider_id = p.id
      ON CONFLICT DO NOTHING`);
    // What the skipped trigger would have done: a trust score is due for each new provider (the cron computes them).
    await client.query(
      "INSERT INTO reputation_dirty (provider_id) SELECT provider_id FROM seed_new ON CONFLICT DO NOTHING",
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
  await client.query("ANALYZE users, providers, provider_services, provider_schedule, search_listings");
  log(`seeded ${add} providers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return add;
}
