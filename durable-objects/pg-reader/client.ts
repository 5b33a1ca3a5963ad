// The gateway's way to read Postgres. By default (PG_READS=http) a statement goes over Neon's stateless HTTP path, so
// reads scale with the edge instead of funnelling through a fixed set of objects; PG_READS=objects keeps the earlier
// design, a PgReader shard chosen by a routing key (a map cell) so nearby searches share a warm connection. Either
// is a `Runner`, so statements run through it with platform/pg/sql's rows() and first().
import { loadConfig } from "../../platform/config";
import { PgHttp } from "../../platform/pg/http";
import type { Runner } from "../../platform/pg/sql";
import type { ReaderFailure } from "./pg-reader";

export const READER_SHARDS = 4;

/** A reader's failed statement, thrown on the caller's side with what sqlState() and isDependencyFailure() read. */
export class ReaderError extends Error {
  readonly code: string | undefined;
  readonly constraint: string | undefined;

  constructor(failure: ReaderFailure) {
    super(failure.message);
    this.name = failure.name;
    this.code = failure.code;
    this.constraint = failure.constraint;
  }
}

export function pgReader(env: Env, routingKey: string): Runner {
  const cfg = loadConfig(env);
  return cfg.PG_READS === "http" ? new PgHttp(cfg) : readerObject(env, routingKey);
}

function readerObject(env: Env, routingKey: string): Runner {
  let h = 0;
  for (let i = 0; i < routingKey.length; i++) h = (h * 31 + routingKey.charCodeAt(i)) >>> 0;
  const ns = env.PG_READER;
  const stub = ns.get(ns.idFromName(`reader-${h % READER_SHARDS}`));
  return {
    query: async (text, values) => {
      const answer = await stub.query(text, values);
      if (!answer.ok) throw new ReaderError(answer.error);
      return { rows: answer.rows, rowCount: answer.rowCount };
    },
  };
}
