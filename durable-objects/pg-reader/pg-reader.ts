// PgReader: a few objects that each keep a warm Postgres connection, so the stateless gateway's hot reads (cold
// search, booking reads) do not pay a new connection per request. One statement per call, never a transaction.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../../platform/config";
import { PgConnection } from "../../platform/pg/connection";

/** What a row can hold once the driver has parsed it (json columns arrive as objects); spelled out for RPC. */
export type Row = Record<string, string | number | boolean | null | Date | object>;

export class PgReader extends DurableObject<Env> {
  // Validated config, not raw env: DATABASE_URL is a secret in deployed environments.
  private readonly pg = new PgConnection(loadConfig(this.env), {
    idleMs: 60_000,
    onConnect: ["SET jit = off", "SET max_parallel_workers_per_gather = 0"],
  });

  /** Runs one prepared statement; its rows as the driver parsed them (the client parses them into types). */
  async query(text: string, values: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }> {
    const { rows, rowCount } = await this.pg.query<Row>(text, values, { prepare: true });
    return { rows, rowCount };
  }
}
