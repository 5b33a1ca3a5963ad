// The Hono environment every route sees: bindings plus per-request clients built by the init middleware.
import type { Pool } from "@neondatabase/serverless";
import type { Redis } from "@upstash/redis/cloudflare";
import type { Db } from "../../db/client";
import type { Lang } from "../../lib/enums";
import type { Config } from "../../platform/config";
import type { Runner } from "../../platform/pg/sql";
import type { KeyRing } from "./auth/keys";
import type { AccessClaims } from "./auth/tokens";

export interface Services {
  /** Lazily opened per request and closed after the response (waitUntil). */
  pool(): Pool;
  /** Drizzle over the same pool: typed reads and inserts. */
  db(): Db;
  /**
   * Single statements over Neon's stateless HTTP path (each its own transaction, one round trip, no connection
   * held): writes that are one statement, as the reviews' are.
   */
  sql(): Runner;
  redis(): Redis;
  keys(): Promise<KeyRing>;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    lang: Lang;
    config: Config;
    services: Services;
    /** Set by requireAuth; used for the request log (hashed) and authorization. */
    userId?: number;
    auth?: AccessClaims;
  };
};
