// PgReader: a few objects that each keep a warm Postgres connection, so the stateless gateway's hot reads (cold
// search, booking reads) do not pay a new connection per request. One statement per call, never a transaction.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../../platform/config";
import { PgConnection } from "../../platform/pg/connection";
import { asError } from "../../platform/pg/driver";
import { sqlState } from "../../platform/pg/errors";

/** What a row can hold once the driver has parsed it (json columns arrive as objects); spelled out for RPC. */
export type Row = Record<string, string | number | boolean | null | Date | object>;

/** A statement's failure as it crosses RPC: what the caller's error mapping reads (name, message, SQLSTATE). */
export interface ReaderFailure {
  name: string;
  message: string;
  code?: string;
  constraint?: string;
}

export type ReaderAnswer = { ok: true; rows: Row[]; rowCount: number | null } | { ok: false; error: ReaderFailure };

export class PgReader extends DurableObject<Env> {
  // Validated config, not raw env: DATABASE_URL is a secret in deployed environments.
  private readonly pg = new PgConnection(loadConfig(this.env), {
    idleMs: 60_000,
    onConnect: ["SET jit = off", "SET max_parallel_workers_per_gather = 0"],
  });

  /**
   * Runs one prepared statement; its rows as the driver parsed them (the client parses them into types). A failure
   * is an answer, not a throw: workerd logs every exception that leaves an RPC method as uncaught, though the
   * caller handles it, and the error's SQLSTATE would not survive the crossing. The client throws it again.
   */
  async query(text: string, values: unknown[]): Promise<ReaderAnswer> {
    try {
      const { rows, rowCount } = await this.pg.query<Row>(text, values, { prepare: true });
      return { ok: true, rows, rowCount };
    } catch (err) {
      const e = asError(err);
      const code = sqlState(e);
      const constraint = "constraint" in e && typeof e.constraint === "string" ? e.constraint : undefined;
      return {
        ok: false,
        error: { name: e.name, message: e.message, ...(code && { code }), ...(constraint && { constraint }) },
      };
    }
  }
}
