// Postgres access for Workers and Durable Objects: Neon's serverless driver, pointed at Neon or a local bridge by config.
import { Client, neonConfig, Pool } from "@neondatabase/serverless";

export interface DbConfig {
  DATABASE_URL: string;
  /** "host:port/v1" of a Neon-wsproxy-compatible bridge (local dev and tests). Unset in production: Neon's own proxy. */
  NEON_WS_PROXY?: string | undefined;
}

let configuredFor: string | undefined;

/**
 * The only place that decides how the driver reaches Postgres. With NEON_WS_PROXY set it speaks plain WebSocket to the
 * local bridge (no TLS, no pipelined connect, which SCRAM would break); without it, Neon's defaults apply.
 * neonConfig is module-global, and an isolate serves exactly one env, so setting it once per isolate is correct.
 */
function configureNeon(cfg: DbConfig): void {
  const key = cfg.NEON_WS_PROXY ?? "";
  if (configuredFor === key) return;
  configuredFor = key;
  if (cfg.NEON_WS_PROXY) {
    const proxy = cfg.NEON_WS_PROXY;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
}

/** A pool for one request. Workers cannot share I/O objects across requests: end it with ctx.waitUntil(pool.end()). */
export function createPool(cfg: DbConfig, opts: { max?: number } = {}): Pool {
  configureNeon(cfg);
  const pool = new Pool({ connectionString: cfg.DATABASE_URL, max: opts.max ?? 4, connectionTimeoutMillis: 5_000 });
  // An idle client whose socket drops emits 'error' on the pool; unhandled, that would crash the isolate.
  // Errors of queries in flight still reject their own promises.
  pool.on("error", () => {});
  return pool;
}

/**
 * A single long-lived connection, for owners that outlive a request (Durable Objects). Callers must attach a
 * persistent 'error' listener: the driver can emit it twice for one dropped connection.
 */
export function createClient(cfg: DbConfig): Client {
  configureNeon(cfg);
  return new Client({ connectionString: cfg.DATABASE_URL, connectionTimeoutMillis: 5_000 });
}
