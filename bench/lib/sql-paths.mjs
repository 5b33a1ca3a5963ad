// Per-query latency of the two local paths to Postgres: neon() over the sql-http bridge vs a WebSocket Client over
// the ws bridge. `node bench/lib/sql-paths.mjs [n]`; both bridges start here, on ephemeral ports, against kormo's
// Postgres server (DATABASE_URL, default the postgres database).
import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { WebSocket } from "ws";
import { startSqlHttpBridge } from "../../dev/bridges/sql-http-bridge.mjs";
import { startWsBridge } from "../../dev/bridges/ws-bridge.mjs";

const n = Number(process.argv[2] ?? 500);
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const { hostname, port } = new URL(databaseUrl);
const http = await startSqlHttpBridge({ databaseUrl, poolMax: 2 });
const ws = await startWsBridge({ allow: [`${hostname}:${port || 5432}`] });

neonConfig.fetchEndpoint = http.url;
neonConfig.webSocketConstructor = WebSocket;
neonConfig.wsProxy = (host, p) => `127.0.0.1:${ws.port}/v1?address=${host}:${p}`;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineConnect = false;
neonConfig.pipelineTLS = false;

/** @param {() => Promise<unknown>} once */
async function time(once) {
  for (let i = 0; i < 50; i++) await once(); // warm-up: connections open, JIT of the JS paths
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(3);
  const mean = (ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(3);
  return { mean, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

const sql = neon(databaseUrl);
const client = new Client({ connectionString: databaseUrl });
await client.connect();
const results = {
  "neon() HTTP via sql-http bridge": await time(() => sql`SELECT 1`),
  "Client WebSocket via ws bridge": await time(() => client.query("SELECT 1")),
};
await client.end();
await Promise.all([http.close(), ws.close()]);
console.log(`${n} sequential SELECT 1 (ms)`);
console.table(results);
