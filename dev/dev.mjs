// `npm run dev`: checks and starts everything (database, migrations, seed, bridges, both workers), Ctrl-C stops it all.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SetupError } from "./db.mjs";
import { localConfig, requireNode22, startStack } from "./stack.mjs";
import { writeDevTokens } from "./tokens.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8080);
const log = (m) => console.log(`[dev] ${m}`);

/**
 * Development policy on top of the production defaults (lib/policy.ts): on the dev stack one demo customer makes
 * hundreds of requests (the quickstart, the benchmarks), so the caps on open requests are lifted, and the horizon
 * is wide because the benchmarks book years ahead so that no two runs ever collide (the matching benchmarks post
 * hundreds of requests from a few customers, so their cap is lifted too). The checks still run on every
 * create; tests and the fault suite run with the production values.
 */
const DEV_POLICY = {
  BOOKING_MAX_PENDING_PER_CUSTOMER: "100000",
  BOOKING_MAX_PENDING_PER_PROVIDER_DAY: "100000",
  BOOKING_HORIZON_DAYS: "3650",
  // Payouts: the quickstart pays out one job half a minute after it completes, with no minimum or approval step.
  DISPUTE_WINDOW_S: "30",
  PAYOUT_MIN_POISHA: "0",
  PAYOUT_APPROVAL_ABOVE_POISHA: "10000000000",
  CASH_DEBT_LIMIT_POISHA: "10000000000",
  PAYOUT_ACCOUNT_AUTO_VERIFY: "true",
  MATCH_MAX_OPEN_PER_CUSTOMER: "100000",
};

function writeDevVars(vars) {
  // .dev.vars (git-ignored) override wrangler.toml [vars] for each worker, so both reach the same bridges.
  const text = `${Object.entries(vars)
    // Single quotes: dotenv takes them literally, so JSON values (AUTH_JWKS) arrive unescaped.
    .map(([k, v]) => `${k}='${v}'`)
    .join("\n")}\n`;
  writeFileSync(join(root, ".dev.vars"), text);
  writeFileSync(join(root, "workers/notifications/.dev.vars"), text);
}

/**
 * Set from the environment, they win over the dev stack's: PUBLIC_API_URL (where wallets send the phone's browser
 * back; defaults to this machine as DEV_PUBLIC_HOST names it), RETURN_URL_ALLOWLIST (default: wrangler.toml), and
 * PG_READS / PG_OBJECT_WRITES (the Postgres transports, so the bench can compare them on one machine).
 */
const PASS_THROUGH = ["PUBLIC_API_URL", "RETURN_URL_ALLOWLIST", "PG_READS", "PG_OBJECT_WRITES"];

/** The variables of `names` that the environment sets: a developer can still try the production caps locally. */
function pick(env, names) {
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
}

async function waitForHealth(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/**
 * The gateway's cron (`* * * * *` in wrangler.toml: outbox sweep, payment reconciler, hold renewal, review windows)
 * fired every minute as production does, since wrangler dev never runs triggers itself.
 */
function startCron(base) {
  const fire = () =>
    fetch(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`)
      .then((res) => {
        if (!res.ok) log(`cron: the scheduled handler answered ${res.status}`);
      })
      .catch((err) => log(`cron: ${err.message}`));
  setInterval(fire, 60_000).unref();
}

let stack;
let wrangler;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (wrangler && wrangler.exitCode === null) {
    try {
      process.kill(-wrangler.pid, "SIGTERM"); // its whole process group: workerd included
    } catch {}
    await Promise.race([new Promise((r) => wrangler.once("exit", r)), new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-wrangler.pid, "SIGKILL");
    } catch {}
  }
  await stack?.close();
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

try {
  const cfg = localConfig({ ...process.env, GATEWAY_URL: `http://127.0.0.1:${port}` });
  stack = await startStack(cfg, { log });
  log(`bridges up: postgres ws on :${stack.ports.ws}, upstash REST on :${stack.ports.upstash}`);
  mkdirSync(join(root, ".dev"), { recursive: true });
  // A phone (emulator or LAN) comes back to the API by the host it reaches this machine by.
  const phone = cfg.publicHost ? { PUBLIC_API_URL: `http://${cfg.publicHost}:${port}` } : {};
  writeDevVars({
    ...stack.vars,
    ...phone,
    ...DEV_POLICY,
    ...pick(process.env, [...Object.keys(DEV_POLICY), ...PASS_THROUGH]),
  });
  if (cfg.publicHost) log(`phones: the API and the wallet pages listen on every interface, as ${cfg.publicHost}`);

  wrangler = spawn(
    join(root, "node_modules/.bin/wrangler"),
    [
      "dev",
      "-c",
      "wrangler.toml",
      "-c",
      "workers/notifications/wrangler.toml",
      "--port",
      String(port),
      "--ip",
      cfg.publicHost ? "0.0.0.0" : "127.0.0.1",
      "--persist-to",
      ".dev/state",
      "--show-interactive-dev-session=false",
      // wrangler dev runs no cron: the timer below fires the scheduled handler through this route instead.
      "--test-scheduled",
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], detached: true, env: { ...process.env, FORCE_COLOR: "0" } },
  );
  wrangler.on("exit", (code) => {
    if (!stopping) {
      console.error(`✘ wrangler dev exited (${code}); stopping.`);
      stop(code || 1);
    }
  });

  const base = `http://localhost:${port}`;
  if (!(await waitForHealth(`${base}/health`, 90_000))) {
    console.error(`✘ the gateway did not answer ${base}/health within 90 s; see wrangler's output above.`);
    await stop(1);
  }
  startCron(base);
  const tokensFile = await writeDevTokens(base);
  console.log(`
  Kormo Mela is running
    API        ${base}            (GET /health, /ready)
    OpenAPI    ${base}/openapi.json
    Docs       ${base}/docs
    Postgres   ${cfg.databaseUrl.replace(/\/\/[^@]*@/, "//")}  (via ws bridge :${stack.ports.ws})
    Redis      ${cfg.redisUrl}  (via Upstash bridge :${stack.ports.upstash})
    SMS inbox  http://127.0.0.1:${stack.ports.sms}/__sim/messages  (SSL Wireless simulator)
    Payments   Stripe :${stack.ports.stripe}, bKash :${stack.ports.bkash}, Nagad :${stack.ports.nagad}  (open a wallet's redirect_url to approve)
    Tokens     source ${tokensFile.replace(`${root}/`, "")}   (REFRESH, PROVIDER_REFRESH, CUSTOMER2_REFRESH, ADMIN_REFRESH)
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(`✘ ${err instanceof SetupError ? err.message : (err?.stack ?? err)}`);
  await stop(1);
}
