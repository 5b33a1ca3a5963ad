// PgReader: a few objects that each keep a warm Postgres connection, so the stateless gateway's hot paths (cold
// search, webhooks) do not pay a new connection per request. Reads, and writes that are one statement (atomic on
// their own, e.g. a CTE that records a webhook and applies it); never a multi-statement transaction.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../../platform/config";
import { PgConnection } from "../../platform/pg/connection";

export const READER_SHARDS = 4;

/** What a row can hold once the driver has parsed it (json columns arrive as objects); spelled out for RPC. */
export type Row = Record<string, string | number | boolean | null | Date | object>;
export type SqlParam = string | number | boolean | null;

export class PgReader extends DurableObject<Env> {
  // Validated config, not raw env: DATABASE_URL is a secret in deployed environments.
  private readonly pg = new PgConnection(loadConfig(this.env), {
    idleMs: 60_000,
    onConnect: ["SET jit = off", "SET max_parallel_workers_per_gather = 0"],
  });

  async read(text: string, params: SqlParam[]): Promise<Row[]> {
    const { rows } = await this.pg.query<Row>(text, params, { prepare: true });
    return rows;
  }

  /** One statement that writes (atomic by itself); its RETURNING rows. */
  async write(text: string, params: SqlParam[]): Promise<Row[]> {
    const { rows } = await this.pg.query<Row>(text, params, { prepare: true });
    return rows;
  }
}

/** The typed way in: a shard chosen by a routing key (a map cell), so nearby searches share a warm connection. */
export function pgReader(env: Env, routingKey: string) {
  let h = 0;
  for (let i = 0; i < routingKey.length; i++) h = (h * 31 + routingKey.charCodeAt(i)) >>> 0;
  const ns = env.PG_READER;
  return ns.get(ns.idFromName(`reader-${h % READER_SHARDS}`));
}
