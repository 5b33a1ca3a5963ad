// The typed way to the readers: a shard chosen by a routing key (a map cell), so nearby searches share a warm
// connection. It is a `Runner`, so statements run through it with platform/pg/sql's rows() and first().
import type { Runner } from "../../platform/pg/sql";

export const READER_SHARDS = 4;

export function pgReader(env: Env, routingKey: string): Runner {
  let h = 0;
  for (let i = 0; i < routingKey.length; i++) h = (h * 31 + routingKey.charCodeAt(i)) >>> 0;
  const ns = env.PG_READER;
  const stub = ns.get(ns.idFromName(`reader-${h % READER_SHARDS}`));
  return { query: (text, values) => stub.query(text, values) };
}
