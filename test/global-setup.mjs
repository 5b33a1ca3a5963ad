// Vitest global setup (Node): a fresh migrated test database for this run, Redis db 15, and the bridges and
// simulators on ephemeral ports. Tests never touch the dev database (kormo) or Redis db 0, and two runs at once
// (a developer and CI, or two terminals) each get their own database.
import pg from "pg";
import { generateSigningJwk, randomSecret } from "../dev/keys.mjs";
import { localConfig, startStack } from "../dev/stack.mjs";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Drops test databases left behind by runs that were killed before their teardown. */
async function dropStale(adminUrl) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname ~ '^kormo_test_[0-9]+$'");
    for (const { datname } of rows) {
      if (!alive(Number(datname.split("_").pop())))
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

async function dropDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
}

export default async function setup(project) {
  const own = !process.env.TEST_DATABASE_URL;
  const dbName = `kormo_test_${process.pid}`;
  if (own) await dropStale(ADMIN_URL);
  const cfg = localConfig({
    ...process.env,
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15",
    WS_BRIDGE_PORT: "0",
    SQL_HTTP_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_PORT: "0",
    UPSTASH_BRIDGE_TOKEN: "kormo-test-token",
    SMS_SIM_PORT: "0",
    S3_SIM_PORT: "0",
    FCM_SIM_PORT: "0",
    STRIPE_SIM_PORT: "0",
    BKASH_SIM_PORT: "0",
    NAGAD_SIM_PORT: "0",
  });
  // Two keys: one signs, one (public only) verifies, as during a key rotation.
  const signer = await generateSigningJwk();
  const retiredPrivate = await generateSigningJwk();
  const { d: _private, ...retired } = retiredPrivate;
  const secrets = { AUTH_JWKS: JSON.stringify({ keys: [signer, retired] }), OTP_HMAC_SECRET: randomSecret() };
  const stack = await startStack(cfg, { fresh: true, seed: false, secrets });
  // Gateways that go quiet are given up on quickly, so timeout tests do not wait ten seconds.
  project.provide("vars", { ...stack.vars, PAYMENT_TIMEOUT_MS: "1500" });
  project.provide("redisUrl", cfg.redisUrl);
  // Lets tests sign with the retired key (must still verify) and with a stranger's key (must not).
  project.provide("retiredJwk", JSON.stringify(retiredPrivate));
  project.provide("strangerJwk", JSON.stringify(await generateSigningJwk()));
  return async () => {
    await stack.close();
    if (own) await dropDatabase(ADMIN_URL, dbName);
  };
}
