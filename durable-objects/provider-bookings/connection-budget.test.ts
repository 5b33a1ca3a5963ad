// The connection budget: with the providers' objects on the HTTP path (PG_OBJECT_WRITES=http, the default), the
// number of Postgres connections is the pooler's bound (locally the bridge's pool; Neon's in production) however
// many objects are busy at once, and no object holds one of its own.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, idemKey, login, makeProvider, sql, window } from "../../workers/api/test/helpers";
import { providerBookings } from "./client";

const BUSY = 40;
const bridge = () => new URL("/health", env.NEON_HTTP_ENDPOINT as string).href;

type Stats = { max: number; peak: number; total: number; requests: number };
const stats = async () => (await (await fetch(bridge())).json()) as Stats;

/** Postgres backends on this database, by application name, as seen right now. */
const backends = () =>
  sql<{ app: string; n: number }>(
    `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1`,
  );

describe.runIf(env.PG_OBJECT_WRITES === "http")("the Postgres connection budget", () => {
  it(`keeps connections within the pool's bound while ${BUSY} provider objects book at once, holding none themselves`, async () => {
    const providers = await Promise.all(Array.from({ length: BUSY }, () => makeProvider()));
    const customers = await Promise.all(Array.from({ length: BUSY }, () => login()));
    const before = await stats();

    let sampling = true;
    const seen: { bridge: number; objects: number }[] = [];
    const sampler = (async () => {
      while (sampling) {
        const rows = await backends();
        seen.push({
          bridge: rows.filter((r) => r.app === "kormo-sql-http-bridge").reduce((a, r) => a + r.n, 0),
          objects: rows.filter((r) => r.app.startsWith("kormo:provider:")).reduce((a, r) => a + r.n, 0),
        });
      }
    })();
    const answers = await Promise.all(
      providers.map((p, i) =>
        call("/booking/bookings", {
          method: "POST",
          token: customers[i]?.access,
          headers: idemKey(),
          body: { provider_id: p.providerId, service_type: "driver", ...window(40) },
        }),
      ),
    );
    sampling = false;
    await sampler;

    expect(answers.map((a) => a.status)).toEqual(Array(BUSY).fill(201));
    const after = await stats();
    // Every create went through the bridge, which never opened more connections than its bound.
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(BUSY * 3);
    expect(after.peak).toBeLessThanOrEqual(after.max);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen.map((s) => s.bridge))).toBeLessThanOrEqual(after.max);
    expect(Math.max(...seen.map((s) => s.objects))).toBe(0);
    for (const p of providers.slice(0, 5))
      expect(await providerBookings(env, p.providerId).holdsConnection()).toBe(false);
  });
});
