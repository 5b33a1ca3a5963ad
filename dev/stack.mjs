// Starts the local infrastructure the Workers need: database (created, migrated, seeded), bridges and simulators.
import { startSqlHttpBridge } from "./bridges/sql-http-bridge.mjs";
import { startUpstashBridge } from "./bridges/upstash-bridge.mjs";
import { startWsBridge } from "./bridges/ws-bridge.mjs";
import { DEFAULT_DATABASE_URL, ensureDatabase, migrate } from "./db.mjs";
import { devSecrets } from "./keys.mjs";
import { seedAll, TEST_USERS } from "./seed.mjs";
import { startBkashSimulator } from "./simulators/bkash.mjs";
import { startFcmSimulator } from "./simulators/fcm.mjs";
import { generateNagadKeys, startNagadSimulator } from "./simulators/nagad.mjs";
import { startS3Simulator } from "./simulators/s3.mjs";
import { startSmsSimulator } from "./simulators/sms.mjs";
import { startStripeSimulator } from "./simulators/stripe.mjs";

/** Fixed-code test numbers for development (never production: the gateway refuses to run with them there). */
export const DEV_TEST_NUMBERS = TEST_USERS.map((u) => `${u.phone}:123456`).join(",");

const SMS_SIM = { apiToken: "sim-ssl-token", sid: "KORMOMELA" };
const STRIPE_WEBHOOK_SECRET = "whsec_kormo_dev_local";
const STRIPE_EVENTS = ["payment_intent.succeeded", "payment_intent.canceled", "payment_intent.payment_failed"];
const BKASH_SIM = {
  appKey: "kormo-bkash-app",
  appSecret: "kormo-bkash-secret",
  username: "kormo",
  password: "kormo-pass",
};
const NAGAD_MERCHANT_ID = "683002007104225";
/** PEM without armour or line breaks: how Nagad hands out keys, and one line in .dev.vars. */
const bareKey = (pem) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
const S3_SIM = { accessKeyId: "kormo-dev-key", secretAccessKey: "kormo-dev-secret", bucket: "kormo-kyc" };

export function requireNode22() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(
      `✘ Node ${process.versions.node} is too old: wrangler needs Node >= 22.12. ` +
        "Run through npm (`npm run dev`, `npm test`), which uses the Node 22 installed in node_modules by `npm install`.",
    );
    process.exit(1);
  }
}

/** Resolved local configuration; every value can be overridden from the environment. */
export function localConfig(env = process.env) {
  const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const db = new URL(databaseUrl);
  return {
    databaseUrl,
    dbAddress: `${db.hostname}:${db.port || 5432}`,
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    wsBridgePort: Number(env.WS_BRIDGE_PORT ?? 5480),
    sqlHttpBridgePort: Number(env.SQL_HTTP_BRIDGE_PORT ?? 5481),
    /** Postgres connections the HTTP bridge may open, however many callers are busy; the rest wait in line. */
    sqlHttpPoolMax: Number(env.SQL_HTTP_POOL_MAX ?? 20),
    upstashBridgePort: Number(env.UPSTASH_BRIDGE_PORT ?? 8079),
    upstashToken: env.UPSTASH_BRIDGE_TOKEN ?? "kormo-dev-token",
    smsSimPort: Number(env.SMS_SIM_PORT ?? 8090),
    s3SimPort: Number(env.S3_SIM_PORT ?? 8091),
    fcmSimPort: Number(env.FCM_SIM_PORT ?? 8092),
    stripeSimPort: Number(env.STRIPE_SIM_PORT ?? 8093),
    bkashSimPort: Number(env.BKASH_SIM_PORT ?? 8094),
    nagadSimPort: Number(env.NAGAD_SIM_PORT ?? 8095),
    /** Where simulators deliver webhooks; unset in tests (the worker under test has no address). */
    gatewayUrl: env.GATEWAY_URL,
    /**
     * How a phone reaches this machine (10.0.2.2 from the Android emulator, the LAN address for a real phone): the
     * wallet simulators then listen on every interface and their pages link there. Unset: loopback only.
     */
    publicHost: env.DEV_PUBLIC_HOST,
    secretsPath: env.DEV_SECRETS_PATH ?? ".dev/secrets.json",
  };
}

/**
 * Database setup, bridges and third-party simulators. Returns the Worker vars that point at them (one set serves
 * both workers) and a close() that stops everything it started, also when a later step fails.
 */
export async function startStack(cfg, { log = () => {}, seed = true, fresh = false, secrets } = {}) {
  await ensureDatabase(cfg.databaseUrl, { log, fresh });
  await migrate(cfg.databaseUrl, { log });
  if (seed) await seedAll(cfg.databaseUrl, undefined, log);
  const keys = secrets ?? (await devSecrets(cfg.secretsPath));
  const started = [];
  const close = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  try {
    const ws = await startWsBridge({ port: cfg.wsBridgePort, allow: [cfg.dbAddress] });
    started.push(ws);
    // Neon's HTTP path (neon(), POST /sql) for the same database; the workers get its URL as NEON_HTTP_ENDPOINT.
    const sqlHttp = await startSqlHttpBridge({
      port: cfg.sqlHttpBridgePort,
      databaseUrl: cfg.databaseUrl,
      poolMax: cfg.sqlHttpPoolMax,
    });
    started.push(sqlHttp);
    const upstash = await startUpstashBridge({
      port: cfg.upstashBridgePort,
      redisUrl: cfg.redisUrl,
      token: cfg.upstashToken,
    });
    started.push(upstash);
    const sms = await startSmsSimulator({ port: cfg.smsSimPort, ...SMS_SIM });
    started.push(sms);
    const s3 = await startS3Simulator({ port: cfg.s3SimPort, ...S3_SIM });
    started.push(s3);
    // A fresh service account per start: the simulator checks the adapter's JWTs against its public key.
    const fcm = await startFcmSimulator({ port: cfg.fcmSimPort, projectId: "kormo-dev" });
    started.push(fcm);
    // The simulator signs its webhooks with this secret and delivers them to the gateway (when one is running).
    const stripe = await startStripeSimulator({
      port: cfg.stripeSimPort,
      secretKey: "sk_test_kormo_dev",
      webhookSecret: STRIPE_WEBHOOK_SECRET,
      ...(cfg.gatewayUrl ? { webhookUrl: `${cfg.gatewayUrl}/payments/webhooks/stripe` } : {}),
      // What the production endpoint subscribes to (README, Deploying): the events the ledger acts on.
      enabledEvents: STRIPE_EVENTS,
    });
    started.push(stripe);
    // The wallet pages are opened by the customer's browser, which may be a phone: see cfg.publicHost.
    const wallets = cfg.publicHost ? { host: "0.0.0.0", publicHost: cfg.publicHost } : {};
    const bkash = await startBkashSimulator({ port: cfg.bkashSimPort, ...wallets, ...BKASH_SIM });
    started.push(bkash);
    // Fresh RSA keys per start for both sides: the simulator checks our signatures, we check its.
    const nagadKeys = await generateNagadKeys();
    const nagad = await startNagadSimulator({
      port: cfg.nagadSimPort,
      ...wallets,
      merchantId: NAGAD_MERCHANT_ID,
      merchantPublicKeyPem: nagadKeys.merchantPublicKeyPem,
      nagadPrivateKeyPem: nagadKeys.nagadPrivateKeyPem,
    });
    started.push(nagad);
    return {
      vars: {
        DATABASE_URL: cfg.databaseUrl,
        NEON_WS_PROXY: `127.0.0.1:${ws.port}/v1`,
        NEON_HTTP_ENDPOINT: sqlHttp.url,
        UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${upstash.port}`,
        UPSTASH_REDIS_REST_TOKEN: cfg.upstashToken,
        AUTH_JWKS: keys.AUTH_JWKS,
        OTP_HMAC_SECRET: keys.OTP_HMAC_SECRET,
        AUTH_TEST_NUMBERS: DEV_TEST_NUMBERS,
        SMS_API_URL: sms.url,
        SMS_API_TOKEN: SMS_SIM.apiToken,
        SMS_SID: SMS_SIM.sid,
        KYC_S3_ENDPOINT: s3.url,
        KYC_S3_BUCKET: S3_SIM.bucket,
        KYC_S3_ACCESS_KEY_ID: S3_SIM.accessKeyId,
        KYC_S3_SECRET_ACCESS_KEY: S3_SIM.secretAccessKey,
        FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccountJson),
        FCM_API_URL: fcm.url,
        STRIPE_API_URL: stripe.url,
        STRIPE_SECRET_KEY: "sk_test_kormo_dev",
        STRIPE_WEBHOOK_SECRET,
        // Wallets send the customer back here; tests have no listening gateway, so any origin does.
        PUBLIC_API_URL: cfg.gatewayUrl ?? "http://kormo.test",
        BKASH_API_URL: `${bkash.url}/v1.2.0-beta/tokenized/checkout`,
        BKASH_APP_KEY: BKASH_SIM.appKey,
        BKASH_APP_SECRET: BKASH_SIM.appSecret,
        BKASH_USERNAME: BKASH_SIM.username,
        BKASH_PASSWORD: BKASH_SIM.password,
        NAGAD_API_URL: `${nagad.url}/remote-payment-gateway-1.0/api/dfs`,
        NAGAD_MERCHANT_ID,
        NAGAD_MERCHANT_PRIVATE_KEY: bareKey(nagadKeys.merchantPrivateKeyPem),
        NAGAD_PUBLIC_KEY: bareKey(nagadKeys.nagadPublicKeyPem),
      },
      ports: {
        ws: ws.port,
        sqlHttp: sqlHttp.port,
        upstash: upstash.port,
        sms: sms.port,
        s3: s3.port,
        fcm: fcm.port,
        stripe: stripe.port,
        bkash: bkash.port,
        nagad: nagad.port,
      },
      /** The running bridges, for tests that break and restore them (their fault controls keep the port). */
      bridges: { ws, sqlHttp, upstash },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
