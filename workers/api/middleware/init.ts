// Validates config and hangs lazily-built per-request clients on c.var; closes the Postgres pool after the response.
import type { Pool } from "@neondatabase/serverless";
import type { Redis } from "@upstash/redis/cloudflare";
import type { MiddlewareHandler } from "hono";
import { type Db, database } from "../../../db/client";
import { ConfigError, loadConfig } from "../../../platform/config";
import { createPool } from "../../../platform/pg/driver";
import { PgHttp } from "../../../platform/pg/http";
import { createRedis } from "../../../platform/redis";
import { keyRing } from "../auth/keys";
import type { AppEnv } from "../context";

export const init = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const config = loadConfig(c.env);
  c.set("config", config);
  let pool: Pool | undefined;
  let redis: Redis | undefined;
  let db: Db | undefined;
  const openPool = () => {
    pool ??= createPool(config);
    return pool;
  };
  c.set("services", {
    pool: openPool,
    db: () => {
      db ??= database(openPool());
      return db;
    },
    sql: () => new PgHttp(config),
    redis: () => {
      redis ??= createRedis(config);
      return redis;
    },
    keys: () =>
      keyRing(config.AUTH_JWKS, config.AUTH_SIGNING_KID).catch((err: unknown) => {
        throw new ConfigError(`invalid configuration: AUTH_JWKS: ${err instanceof Error ? err.message : "unreadable"}`);
      }),
  });
  try {
    await next();
  } finally {
    if (pool) {
      const p = pool;
      c.executionCtx.waitUntil(p.end().catch(() => {}));
    }
  }
};
