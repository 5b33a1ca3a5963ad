// Postgres over Neon's stateless HTTP path: each statement is one POST to /sql, and Neon's proxy (locally the dev
// stack's bridge) runs it on a connection from its own pool. Nothing here holds a connection, so reads scale with
// the edge and the number of Postgres connections is the pooler's bound, however many Workers or objects are busy.
import { neon, neonConfig } from "@neondatabase/serverless";
import type { ObjectDb } from "./connection";
import type { Runner } from "./sql";

export interface HttpDbConfig {
  DATABASE_URL: string;
  /** The local bridge's /sql URL; unset in production, where the driver derives Neon's endpoint from the host. */
  NEON_HTTP_ENDPOINT?: string | undefined;
}

let endpointFor: string | undefined;

/** neonConfig.fetchEndpoint is module-global; an isolate serves one env, so setting it once per isolate is right. */
function configure(cfg: HttpDbConfig): void {
  const key = cfg.NEON_HTTP_ENDPOINT ?? "";
  if (endpointFor === key) return;
  endpointFor = key;
  if (cfg.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = cfg.NEON_HTTP_ENDPOINT;
}

type Sql = ReturnType<typeof neon<false, true>>;
const clients = new Map<string, Sql>();

function sqlFor(cfg: HttpDbConfig): Sql {
  configure(cfg);
  let sql = clients.get(cfg.DATABASE_URL);
  if (!sql) {
    sql = neon(cfg.DATABASE_URL, { fullResults: true });
    clients.set(cfg.DATABASE_URL, sql);
  }
  return sql;
}

/** A Runner (and Queryable) that sends each statement over HTTP: stateless, so any request or object may share it. */
export class PgHttp implements Runner, ObjectDb {
  private readonly sql: Sql;

  constructor(cfg: HttpDbConfig) {
    this.sql = sqlFor(cfg);
  }

  async query<R = Record<string, unknown>>(text: string, params: unknown[] = []) {
    const res = await this.sql.query(text, params);
    return { rows: res.rows as R[], rowCount: res.rowCount };
  }

  /** Nothing to open or close: the pooler owns the connections. */
  readonly connected = false;
  applicationName: string | undefined;
  async close(): Promise<void> {}
}
