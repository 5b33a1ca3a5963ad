// Starts the local infrastructure the Workers need: database (created, migrated, seeded) and both bridges.
import { DEFAULT_DATABASE_URL, ensureDatabase, migrate } from "./db.mjs";
import { startUpstashBridge } from "./bridges/upstash-bridge.mjs";
import { startWsBridge } from "./bridges/ws-bridge.mjs";
import { seedDev } from "./seed.mjs";

export function requireNode22() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(
      `✘ Node ${process.versions.node} is too old: wrangler needs Node >= 22.12. ` +
        "Run through npm (`npm run dev`, `npm test`), which uses the Node 22 installed in node_modules by `npm install`.",
    );
    process.exit(1);
  }
}

/** Resolved local configuration; every value can be overridden from the environment. */
export function localConfig(env = process.env) {
  const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const db = new URL(databaseUrl);
  return {
    databaseUrl,
    dbAddress: `${db.hostname}:${db.port || 5432}`,
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    wsBridgePort: Number(env.WS_BRIDGE_PORT ?? 5480),
    upstashBridgePort: Number(env.UPSTASH_BRIDGE_PORT ?? 8079),
    upstashToken: env.UPSTASH_BRIDGE_TOKEN ?? "kormo-dev-token",
  };
}

/** Database setup + bridges. Returns the Worker vars that point at them and a close() for the bridges. */
export async function startStack(cfg, { log = () => {}, seed = true, fresh = false } = {}) {
  await ensureDatabase(cfg.databaseUrl, { log, fresh });
  await migrate(cfg.databaseUrl, { log });
  if (seed) await seedDev(cfg.databaseUrl);
  const ws = await startWsBridge({ port: cfg.wsBridgePort, allow: [cfg.dbAddress] });
  let upstash;
  try {
    upstash = await startUpstashBridge({ port: cfg.upstashBridgePort, redisUrl: cfg.redisUrl, token: cfg.upstashToken });
  } catch (err) {
    await ws.close();
    throw err;
  }
  return {
    vars: {
      DATABASE_URL: cfg.databaseUrl,
      NEON_WS_PROXY: `127.0.0.1:${ws.port}/v1`,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${upstash.port}`,
      UPSTASH_REDIS_REST_TOKEN: cfg.upstashToken,
    },
    ports: { ws: ws.port, upstash: upstash.port },
    async close() {
      await Promise.allSettled([ws.close(), upstash.close()]);
    },
  };
}
