// The one way to build an Upstash Redis client, so the gateway and the objects talk to Redis with the same options.
import { Redis } from "@upstash/redis/cloudflare";

export interface RedisConfig {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

export function createRedis(cfg: RedisConfig): Redis {
  return new Redis({
    url: cfg.UPSTASH_REDIS_REST_URL,
    token: cfg.UPSTASH_REDIS_REST_TOKEN,
    // One retry keeps a blip invisible without letting a dead Redis stall the request.
    retry: { retries: 1, backoff: () => 50 },
    // Values are what we stored, byte for byte; code that caches JSON parses it explicitly.
    automaticDeserialization: false,
    // Auto-pipelining leaves a rejected batch promise unhandled when Redis is down; our calls are few and explicit.
    enableAutoPipelining: false,
  });
}
