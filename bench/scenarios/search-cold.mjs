// Scenario: searches that miss the cache (varied coordinates, Cache-Control: no-cache), beside the same SQL run
// straight against Postgres with pgbench at the same concurrency, so the stack's own overhead is visible.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tsImport } from "tsx/esm/api";
import { ratioCheck } from "../lib/auth.mjs";
import { DATABASE_URL, ensureProviders, pgbenchPrelude, randomQuery, SEARCH_SORT } from "../lib/places.mjs";

const CONNECTIONS = 16;

/** The KNN SQL the API runs for a default search, with pgbench variables where the API binds parameters. */
async function pgbenchScript() {
  const { knnQuery } = await tsImport("../../workers/api/search/query.ts", import.meta.url);
  const { text, params } = knnQuery(
    { lat: 0, lng: 0, radiusKm: 5, serviceType: "driver", sort: "distance", limit: 20 },
    63,
  );
  const bound = ["lng", "lat"];
  const sql = text
    .replace(/\$(\d+)/g, (_, n) => {
      const i = Number(n) - 1;
      return i < 2 ? `:${bound[i]}` : typeof params[i] === "number" ? String(params[i]) : `'${params[i]}'`;
    })
    .replace(/\s+/g, " ");
  return `${pgbenchPrelude()}\n${sql};\n`;
}

function pgbench(durationS) {
  const dir = mkdtempSync(join(tmpdir(), "kormo-pgbench-"));
  const script = join(dir, "search.sql");
  return pgbenchScript().then((body) => {
    writeFileSync(script, body);
    const url = new URL(DATABASE_URL);
    execFileSync(
      "pgbench",
      [
        "-n",
        "-M",
        "prepared",
        "-c",
        String(CONNECTIONS),
        "-j",
        "2",
        "-T",
        String(durationS),
        "-f",
        script,
        "-l",
        "--log-prefix",
        join(dir, "log"),
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        "-U",
        url.username || "postgres",
        url.pathname.slice(1),
      ],
      { stdio: "ignore", env: { ...process.env, PGOPTIONS: "-c jit=off -c max_parallel_workers_per_gather=0" } },
    );
    // Per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_epoch.
    const us = readdirSync(dir)
      .filter((f) => f.startsWith("log"))
      .flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n"))
      .map((l) => Number(l.split(" ")[2]))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const pct = (p) => +(us[Math.max(0, Math.ceil((p / 100) * us.length) - 1)] / 1000).toFixed(2);
    return { p50: pct(50), p95: pct(95), p99: pct(99), tps: +(us.length / durationS).toFixed(1) };
  });
}

export default {
  name: "search-cold",
  description: "GET /search/providers, cache bypassed, varied coordinates over five cities (KNN on 100k providers)",
  connections: CONNECTIONS,
  duration_s: 10,
  target: "p95 <= 4x baseline, no errors",
  async setup() {
    await ensureProviders();
    return {
      headers: { "cache-control": "no-cache" },
      requests: [
        {
          method: "GET",
          setupRequest: (req) => ({ ...req, path: `/search/providers?${new URLSearchParams(randomQuery())}` }),
        },
      ],
      check: ratioCheck("p95", 4),
      // The pgbench line replays the nearest-first (KNN) statement; other sorts scan the radius instead.
      compare: SEARCH_SORT && SEARCH_SORT !== "distance" ? undefined : compare,
    };
  },
};

async function compare() {
  const r = await pgbench(Number(process.env.BENCH_DURATION ?? 10));
  return {
    ...r,
    text: `the same SQL via pgbench, ${CONNECTIONS} clients: p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, ${r.tps} tps`,
  };
}
