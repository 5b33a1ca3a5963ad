// The per-request drizzle client: typed reads and inserts over the request's Neon pool (or a transaction's client).
import type { Pool, PoolClient } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";

export type Db = NeonDatabase<typeof schema>;

export function database(client: Pool | PoolClient): Db {
  return drizzle(client, { schema });
}
