// Vitest global setup (Node): a fresh migrated test database, Redis db 15, and both bridges on ephemeral ports.
// Tests never touch the dev database (kormo) or Redis db 0.
import { generateSigningJwk, randomSecret } from "../dev/keys.mjs";
import { localConfig, startStack } from "../dev/stack.mjs";

export default async function setup(project) {
  const cfg = localConfig({
    ...process.env,
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/kormo_test",
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15",
    WS_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_TOKEN: "kormo-test-token",
    SMS_SIM_PORT: "0",
  });
  // Two keys: one signs, one (public only) verifies, as during a key rotation.
  const signer = await generateSigningJwk();
  const retiredPrivate = await generateSigningJwk();
  const { d: _private, ...retired } = retiredPrivate;
  const secrets = { AUTH_JWKS: JSON.stringify({ keys: [signer, retired] }), OTP_HMAC_SECRET: randomSecret() };
  const stack = await startStack(cfg, { fresh: true, seed: false, secrets });
  project.provide("vars", stack.vars);
  project.provide("redisUrl", cfg.redisUrl);
  // Lets tests sign with the retired key (must still verify) and with a stranger's key (must not).
  project.provide("retiredJwk", JSON.stringify(retiredPrivate));
  project.provide("strangerJwk", JSON.stringify(await generateSigningJwk()));
  return () => stack.close();
}
