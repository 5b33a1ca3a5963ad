// Vitest global setup (Node): a fresh migrated test database, Redis db 15, and both bridges on ephemeral ports.
// Tests never touch the dev database (kormo) or Redis db 0.
import { localConfig, startStack } from "../dev/stack.mjs";

export default async function setup(project) {
  const cfg = localConfig({
    ...process.env,
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/kormo_test",
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15",
    WS_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_TOKEN: "kormo-test-token",
  });
  const stack = await startStack(cfg, { fresh: true, seed: false });
  project.provide("vars", stack.vars);
  project.provide("redisUrl", cfg.redisUrl);
  return () => stack.close();
}
