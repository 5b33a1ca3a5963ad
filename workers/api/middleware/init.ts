// Validates config and hangs lazily-built per-request clients on c.var; closes the Postgres pool after the response.
import type { Pool } from "@neondatabase/serverless";
import { Redis } from "@upstash/redis/cloudflare";
import type { MiddlewareHandler } from "hono";
import { createPool } from "../../../db/client";
import { keyRing } from "../auth/keys";
import { ConfigError, loadConfig } from "../config";
import type { AppEnv } from "../context";

export const init = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const config = loadConfig(c.env);
  c.set("config", config);
  let pool: Pool | undefined;
  let redis: Redis | undefined;
  c.set("services", {
    pool: () => {
      pool ??= createPool(config);
      return pool;
    },
    redis: () => {
      redis ??= new Redis({
        url: config.UPSTASH_REDIS_REST_URL,
        token: config.UPSTASH_REDIS_REST_TOKEN,
        // One retry keeps a blip invisible without letting a dead Redis stall the request.
        retry: { retries: 1, backoff: () => 50 },
        // Values are what we stored, byte for byte; code that caches JSON parses it explicitly.
        automaticDeserialization: false,
        // Auto-pipelining leaves a rejected batch promise unhandled when Redis is down; our calls are few and explicit.
        enableAutoPipelining: false,
      });
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
