// Where searches come from in the benchmarks: the five seeded cities, weighted as the seed weights providers.
export const CITIES = [
  { name: "Dhaka", lat: 23.7808, lng: 90.4093, weight: 5 },
  { name: "Chattogram", lat: 22.3475, lng: 91.8123, weight: 2 },
  { name: "Sylhet", lat: 24.8949, lng: 91.8687, weight: 1 },
  { name: "Khulna", lat: 22.8456, lng: 89.5403, weight: 1 },
  { name: "Rajshahi", lat: 24.3745, lng: 88.6042, weight: 1 },
];
const SPREAD = 0.1;
const SERVICES = ["driver", "housekeeper", "cook", "electrician", "nanny"];

/**
 * The search order the search scenarios ask for: BENCH_SEARCH_SORT (distance, rating, price, relevance), or the
 * API's default (nearest first) when unset.
 */
export const SEARCH_SORT = process.env.BENCH_SEARCH_SORT || undefined;

/** A random point around a city chosen by weight, and a service (and SEARCH_SORT). Deterministic given `rand`. */
export function randomQuery(rand = Math.random) {
  const total = CITIES.reduce((s, c) => s + c.weight, 0);
  const x = rand() * total;
  let upto = 0;
  const city =
    CITIES.find((c) => {
      upto += c.weight;
      return x < upto;
    }) ?? CITIES[0];
  return {
    lat: +(city.lat + (rand() * 2 - 1) * SPREAD).toFixed(5),
    lng: +(city.lng + (rand() * 2 - 1) * SPREAD).toFixed(5),
    service_type: SERVICES[Math.floor(rand() * SERVICES.length)],
    ...(SEARCH_SORT ? { sort: SEARCH_SORT } : {}),
  };
}

/** The same distribution as a pgbench script prelude, setting :lat, :lng (and :svc as an index). */
export function pgbenchPrelude() {
  const lines = ["\\set c random(1, 10)"];
  let upto = 0;
  CITIES.forEach((city, i) => {
    upto += city.weight;
    lines.push(`${i === 0 ? "\\if" : "\\elif"} :c <= ${upto}`);
    lines.push(`\\set lat ${city.lat} + (random(0, 20000) - 10000) / ${10000 / SPREAD}.0`);
    lines.push(`\\set lng ${city.lng} + (random(0, 20000) - 10000) / ${10000 / SPREAD}.0`);
  });
  lines.push("\\endif");
  return lines.join("\n");
}

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/kormo";

/** The search targets are measured on 100 000 providers: top the dev database up once (about half a minute). */
export async function ensureProviders(n = 100_000) {
  const { default: pg } = await import("pg");
  const { seedProviders } = await import("../../dev/seed-providers.mjs");
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const added = await seedProviders(client, n, { log: (m) => console.log(`[bench] ${m}`) });
    if (added) console.log(`[bench] topped up to ${n} generated providers`);
  } finally {
    await client.end();
  }
}
