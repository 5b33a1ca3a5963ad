// An isolated full stack as a developer runs it, for the suites that drive the real thing (faults, browser):
// database kormo_<suite>_<pid>, its own Redis db (14 for faults), bridges and simulators on ephemeral ports, and
// `wrangler dev` for both workers from temporary copies of their configs.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import pg from "pg";
import { generateSigningJwk, randomSecret } from "../../../dev/keys.mjs";
import { logTail } from "../../../dev/log-tail.mjs";
import { localConfig, startStack } from "../../../dev/stack.mjs";

export const ADMIN_URL = process.env.FAULTS_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.FAULTS_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const START_TIMEOUT_MS = 120_000;

/** A free loopback port (the kernel picks it; a tiny race with other processes is acceptable for a test run). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` with a short-lived admin connection (Postgres may be the thing we just broke). */
export async function withAdmin(fn, url = ADMIN_URL) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops the suite's databases left by runs killed before their teardown. */
async function dropStale(suite) {
  await withAdmin(async (c) => {
    const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname ~ $1", [`^kormo_${suite}_[0-9]+$`]);
    for (const { datname } of rows) {
      if (!alive(Number(datname.split("_").pop()))) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

/**
 * Worker config copies in a temp dir: `main` points back into the repo, and a .dev.vars beside each copy carries
 * our vars, so the developer's own .dev.vars (read only from beside the config wrangler is given) is never used
 * or touched. `wrangler dev --var` would not do: it reaches only the first of several configs.
 */
function writeConfigs(root, dir, vars) {
  const text = `${Object.entries(vars)
    .map(([k, v]) => `${k}='${v}'`)
    .join("\n")}\n`;
  const copies = [
    ["api", join(root, "wrangler.toml"), join(root, "workers/api/index.ts")],
    ["notifications", join(root, "workers/notifications/wrangler.toml"), join(root, "workers/notifications/index.ts")],
  ];
  return copies.map(([name, source, main]) => {
    const sub = join(dir, name);
    mkdirSync(sub, { recursive: true });
    const toml = readFileSync(source, "utf8").replace(/^main = ".*"$/m, `main = ${JSON.stringify(main)}`);
    writeFileSync(join(sub, "wrangler.toml"), toml);
    writeFileSync(join(sub, ".dev.vars"), text, { mode: 0o600 });
    return join(sub, "wrangler.toml");
  });
}

/**
 * Starts everything; returns { base, db, vars, bridges, sims, ports, close }. close() is safe to call twice and
 * stops only what this function started. `suite` names the database and temp dir, `redisUrl` is the suite's own
 * Redis db (flushed at start).
 */
export async function startFaultStack({ root, testNumbers, log, suite = "faults", redisUrl = REDIS_URL }) {
  const dbName = `kormo_${suite}_${process.pid}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const tmp = mkdtempSync(join(tmpdir(), `kormo-${suite}-`));
  const cleanups = [];
  let closed = false;
  // FAULTS_KEEP=1 leaves the database and the temp dir (configs, wrangler.log) for a post-mortem.
  const keep = process.env.FAULTS_KEEP === "1";
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const fn of cleanups.reverse()) await fn().catch((err) => log(`cleanup: ${err.message}`));
    if (keep) log(`kept database ${dbName} and ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await dropStale(suite);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const zero = Object.fromEntries(
      [
        "WS_BRIDGE",
        "SQL_HTTP_BRIDGE",
        "UPSTASH_BRIDGE",
        "SMS_SIM",
        "S3_SIM",
        "FCM_SIM",
        "STRIPE_SIM",
        "BKASH_SIM",
        "NAGAD_SIM",
      ].map((k) => [`${k}_PORT`, "0"]),
    );
    const cfg = localConfig({
      ...process.env,
      ...zero,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      UPSTASH_BRIDGE_TOKEN: "kormo-faults-token",
      GATEWAY_URL: base,
    });
    const secrets = {
      AUTH_JWKS: JSON.stringify({ keys: [await generateSigningJwk()] }),
      OTP_HMAC_SECRET: randomSecret(),
    };
    if (!keep) {
      cleanups.push(() =>
        withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).then(() => undefined),
      );
    }
    const stack = await startStack(cfg, { fresh: true, seed: false, secrets });
    cleanups.push(() => stack.close());
    // Rate-limit windows and caches from an earlier run must not leak into this one: db 14 is the suite's own.
    await fetch(`http://127.0.0.1:${stack.ports.upstash}`, {
      method: "POST",
      headers: { authorization: "Bearer kormo-faults-token" },
      body: JSON.stringify(["FLUSHDB"]),
    });

    const vars = {
      ...stack.vars,
      ENVIRONMENT: "development",
      LOG_LEVEL: "warn",
      AUTH_TEST_NUMBERS: testNumbers,
      PUBLIC_API_URL: base,
      BOOKING_MIN_NOTICE_MIN: "0",
      BOOKING_ACCEPT_TIMEOUT_MIN: "60",
      // A gateway that goes quiet is given up on after 1.5 s, and the reconciler may ask about it 5 s later.
      PAYMENT_TIMEOUT_MS: "1500",
      PAYMENT_RECONCILE_AFTER_S: "5",
    };
    const [apiToml, notificationsToml] = writeConfigs(root, tmp, vars);
    const inspector = await freePort();
    const logFile = join(tmp, "wrangler.log");
    const out = openSync(logFile, "w");
    const child = spawn(
      join(root, "node_modules/.bin/wrangler"),
      [
        "dev",
        ...["-c", apiToml, "-c", notificationsToml],
        ...["--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspector)],
        ...["--persist-to", join(tmp, "state"), "--test-scheduled", "--show-interactive-dev-session=false"],
      ],
      { cwd: root, detached: true, stdio: ["ignore", out, out], env: { ...process.env, FORCE_COLOR: "0" } },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-(/** @type {number} */ (child.pid)), "SIGTERM"); // its group: workerd too
      } catch {}
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 8_000, false))]);
      if (!done) {
        try {
          process.kill(-(/** @type {number} */ (child.pid)), "SIGKILL");
        } catch {}
      }
    });
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${logTail(logFile)}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`wrangler dev not healthy:\n${logTail(logFile)}`);
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
    }
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${base} (database ${dbName})`);
    return {
      base,
      databaseUrl,
      dbName,
      bridges: stack.bridges,
      ports: stack.ports,
      logTail: () => logTail(logFile, 40),
      logText: () => stripVTControlCharacters(readFileSync(logFile, "utf8")),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
