// The typed way to the readers: a shard chosen by a routing key (a map cell), so nearby searches share a warm
// connection. It is a `Runner`, so statements run through it with platform/pg/sql's rows() and first().
import type { Runner } from "../../platform/pg/sql";
import type { Row } from "./pg-reader";

export const READER_SHARDS = 4;

export interface ReaderClient extends Runner {
  /** @deprecated raw positional SQL; declare a `statement` and use rows()/first() instead. */
  read(text: string, values: unknown[]): Promise<Row[]>;
}

export function pgReader(env: Env, routingKey: string): ReaderClient {
  let h = 0;
  for (let i = 0; i < routingKey.length; i++) h = (h * 31 + routingKey.charCodeAt(i)) >>> 0;
  const ns = env.PG_READER;
  const stub = ns.get(ns.idFromName(`reader-${h % READER_SHARDS}`));
  return {
    query: (text, values) => stub.query(text, values),
    read: async (text, values) => (await stub.query(text, values)).rows,
  };
}
