// The gateway's configuration, validated once per isolate so a bad deploy fails loudly with names, not values.
import { z } from "zod";

const Environment = z.enum(["development", "test", "staging", "production"]);

export const ConfigSchema = z.object({
  ENVIRONMENT: Environment,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  NEON_WS_PROXY: z
    .string()
    .regex(/^[\w.-]+:\d+\/v1$/, "must look like host:port/v1")
    .optional(),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  CORS_ORIGINS: z.string().default("*"),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Config = z.infer<typeof ConfigSchema> & { corsOrigins: string[] | "*" };

export class ConfigError extends Error {
  override name = "ConfigError";
}

const cache = new WeakMap<object, Config>();

/** Parses the Worker env. Production must not run through a local bridge. Memoised per env object (one per isolate). */
export function loadConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${names}`);
  }
  const cfg = parsed.data;
  if (cfg.ENVIRONMENT === "production" && cfg.NEON_WS_PROXY) {
    throw new ConfigError(
      "invalid configuration: NEON_WS_PROXY is for local development and must be unset in production",
    );
  }
  const origins = cfg.CORS_ORIGINS.trim();
  const config: Config = {
    ...cfg,
    corsOrigins:
      origins === "*"
        ? "*"
        : origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean),
  };
  cache.set(env, config);
  return config;
}
