// `npm run test:faults`: breaks real parts of a running stack while booking traffic runs, then proves nothing was
// lost, duplicated or left hanging. Exits non-zero on any finding.
//
// Why this shape: the faults that matter (a socket cut in the middle of a statement, every backend terminated, Redis
// gone, a gateway answering 500 or nothing) happen below the Workers runtime, so the suite runs the real thing —
// `wrangler dev` with both workers, the real Neon driver through the ws bridge, @upstash/redis through its bridge,
// the payment simulators — and breaks those parts from outside, as production would see them. It is isolated from
// everything else on the machine: its own database (kormo_faults_<pid>, dropped at the end), Redis db 14, ephemeral
// ports, temp copies of the worker configs with their own .dev.vars (the developer's are never read or written),
// loopback only. It is bounded: a fixed plan of phases a few seconds each, a 15 s limit per request (longer is a
// hang), and a hard deadline for the whole run (5 minutes). Whatever ends the run (success, a finding, a crash of
// the suite itself, the deadline, a signal) goes through one teardown that stops wrangler and its workerd, the
// workerd test's vitest, and drops the database. The cron is driven through wrangler's /__scheduled every 5 s. The
// queue send failing (d) cannot be switched on honestly inside `wrangler dev` (a consumer that does not consume is
// a different fault), so it runs as a workerd test that swaps the object's `events` binding (queue-send.test.ts);
// its figures join the table. Findings are reported, never hidden: the suite does not fix or retry past them.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { requireNode22 } from "../../dev/stack.mjs";
import { faultPlan } from "./lib/faults.mjs";
import { unsettled, verify } from "./lib/invariants.mjs";
import { startFaultStack } from "./lib/stack.mjs";
import { fixturePlan, journey, logIn, newFigures, replayAll, seedFixtures, slotMaker } from "./lib/traffic.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DEADLINE_MS = Number(process.env.FAULTS_DEADLINE_S ?? 300) * 1000;
const CONCURRENCY = Number(process.env.FAULTS_CONCURRENCY ?? 6);
const DRAIN_MS = 100_000; // the cron sweep takes outbox rows a minute old
const t0 = Date.now();
const log = (m) => console.log(`[faults ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const findings = [];
const figures = new Map();
const notes = new Map();

let stack;
/** The workerd test's vitest while it runs, so teardown can stop it too. */
let child;
let exiting = false;
async function finish(code) {
  if (exiting) return;
  exiting = true;
  if (child && child.exitCode === null) {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), "SIGTERM");
    } catch {}
  }
  // Teardown is bounded too: a wedged wrangler or a blocked DROP must not keep the suite from exiting.
  const closing = stack?.close().catch((err) => log(`teardown: ${err.message}`));
  await Promise.race([closing, sleep(20_000).then(() => log("teardown: gave up after 20 s"))]);
  process.exit(code);
}
process.on("SIGINT", () => finish(130));
process.on("SIGTERM", () => finish(143));
// A bug in the suite itself (a fault helper throwing outside a phase) still tears down what it started.
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (err) => {
    console.error(`✘ the fault suite crashed (${event}): ${err?.stack ?? err}`);
    finish(1);
  });
}
const deadline = setTimeout(() => {
  console.error(`✘ the fault suite ran past its ${DEADLINE_MS / 1000} s deadline`);
  if (stack) console.error(stack.logTail());
  finish(1);
}, DEADLINE_MS);

/** A query with its own connection, retried: the suite's own reads must survive the faults it causes. */
async function sql(databaseUrl, text, params) {
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
    c.on("error", () => {});
    try {
      await c.connect();
      return (await c.query(text, params)).rows;
    } catch (err) {
      if (i >= 8) throw err;
      await sleep(500);
    } finally {
      await c.end().catch(() => {});
    }
  }
}

/** Stands in for the every-minute cron (outbox sweep, payment reconciler) on a faster beat. */
function cron(base) {
  let on = true;
  const loop = (async () => {
    while (on) {
      await fetch(`${base}/__scheduled?cron=*+*+*+*+*`, { signal: AbortSignal.timeout(10_000) }).catch(() => {});
      await sleep(5_000);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function runPhase(ctx, phase) {
  const fig = newFigures(phase.name);
  figures.set(phase.name, fig);
  let recovered;
  phase.recovered = new Promise((r) => {
    recovered = r;
  });
  let active = true;
  const injected = phase
    .inject({ stack, log, note: (n) => notes.set(phase.name, n) })
    .catch((err) => ctx.finding(phase.name, `fault injection failed: ${err.message}`, { expected: "the fault runs" }))
    .finally(() => {
      active = false;
      recovered();
    });
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (active) {
      await journey(ctx, fig, phase, ctx.n++);
    }
  });
  await injected;
  await Promise.all(workers);
  log(
    `${phase.name}: ${fig.journeys} journeys, ${fig.sent} requests, ${fig.s503} 503s, ${fig.s5xx} 5xx, ${fig.hangs} hangs`,
  );
}

/** (d) in workerd: its own vitest run, which prints one FAULTS-FIGURES line. */
function queueSendTest() {
  return new Promise((resolve) => {
    child = spawn(
      join(root, "node_modules/.bin/vitest"),
      ["run", "--config", "test/faults/vitest.config.ts", "--reporter", "dot"],
      { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.includes("FAULTS-FIGURES "));
      let figs = null;
      try {
        figs = line ? JSON.parse(line.slice(line.indexOf("FAULTS-FIGURES ") + 15)) : null;
      } catch {}
      resolve({ code, figs, out });
    });
  });
}

/**
 * What only the workers' own log shows: 5xx on routes the suite does not call itself (the simulators' webhooks to
 * the gateway) and errors nothing caught (a promise left rejected in an object or the consumer).
 */
function serverLog(ctx, text) {
  const byRoute = new Map();
  let uncaught = 0;
  const kinds = new Map();
  for (const line of text.split("\n")) {
    if (line.includes("Uncaught ")) {
      uncaught++;
      const kind = line.slice(line.indexOf("Uncaught ")).replace(/\s+(Error)?\s*$/, "");
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const json = line.slice(line.indexOf("{"));
    if (!line.includes('"msg":"request"')) continue;
    try {
      const r = JSON.parse(json);
      if (r.status >= 500 && r.status !== 503 && r.route.startsWith("/payments/")) {
        byRoute.set(r.route, (byRoute.get(r.route) ?? 0) + 1);
      }
    } catch {}
  }
  for (const [route, n] of byRoute) {
    ctx.finding("(server log)", `${route} answered 5xx (not 503) ${n} times to a simulator`, {
      expected: "503 (the sender retries) or success",
    });
  }
  if (uncaught) {
    const list = [...kinds].map(([k, n]) => `${n}x ${k}`).join("; ");
    // An uncaught line is a loose end (a promise nobody handled), not a broken promise to a client: every answer,
    // booking, payment move and event is checked above. It fails the run only with FAULTS_STRICT_LOG=1, so CI stays
    // a verdict on the guarantees while the count stays visible in every run.
    if (process.env.FAULTS_STRICT_LOG === "1") {
      ctx.finding("(server log)", `${uncaught} "Uncaught ..." lines in the workers' log: ${list}`, {
        expected: "every failure handled (no unhandled rejection)",
      });
    } else {
      console.log(
        `  ⚠ ${uncaught} "Uncaught ..." line(s) in the workers' log (not failing; FAULTS_STRICT_LOG=1 to fail): ${list}`,
      );
    }
  }
  return { uncaught };
}

function table(rows) {
  const head = ["fault", "sent", "2xx", "503", "4xx", "5xx", "hangs", "events", "delivered", "lost", "dupes"];
  const cells = rows.map((r) =>
    [r.name, r.sent, r.ok, r.s503, r.other4xx, r.s5xx, r.hangs, r.committed, r.delivered, r.lost, r.duplicates].map(
      String,
    ),
  );
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join("  ");
  return [line(head), line(width.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

try {
  const plan = fixturePlan({ customers: 6, providers: 6 });
  stack = await startFaultStack({ root, testNumbers: plan.testNumbers, log });
  const people = await seedFixtures(stack.databaseUrl, plan.people);
  for (const p of people) await logIn(stack.base, p);
  const ctx = {
    base: stack.base,
    customers: people.filter((p) => p.role === "customer"),
    providers: people.filter((p) => p.role === "provider"),
    slot: slotMaker(),
    sql: (text, params) => sql(stack.databaseUrl, text, params),
    journeys: new Map(),
    answered: [],
    loginOnly: [...plan.loginOnly],
    n: 0,
    finding: (fault, what, { expected }) => findings.push({ fault, what, expected }),
  };
  const stopCron = cron(stack.base);
  for (const phase of faultPlan({ pgRestart: process.env.FAULTS_PG_RESTART === "1" })) {
    await runPhase(ctx, phase);
    if (phase.name.includes("Postgres restarted")) await sleep(2_000);
  }

  log("faults over: replaying every answered key, then draining the outbox and the queue");
  const replays = newFigures("replays of every answered key");
  await replayAll(ctx, replays);
  const drainUntil = Date.now() + DRAIN_MS;
  let left = await unsettled(stack.databaseUrl);
  let lastPushes = -1;
  for (;;) {
    const pushes = Number(
      (await (await fetch(`http://127.0.0.1:${stack.ports.fcm}/__sim/messages`)).json()).messages.length,
    );
    if ((left.outbox === 0 && left.pending === 0 && pushes === lastPushes) || Date.now() > drainUntil) break;
    lastPushes = pushes;
    await sleep(3_000);
    left = await unsettled(stack.databaseUrl);
  }
  log(`drained: ${left.outbox} outbox rows unpublished, ${left.pending} deliveries still claimed`);
  await stopCron();
  const { events, stats } = await verify(ctx, { databaseUrl: stack.databaseUrl, fcmPort: stack.ports.fcm, people });
  log(`checked ${stats.bookings} bookings, ${stats.outbox} events, ${stats.payments} payments, ${stats.pushes} pushes`);
  const { uncaught } = serverLog(ctx, stack.logText());
  await stack.close();

  log("(d) queue send failing: workerd test (test/faults/queue-send.test.ts)");
  const q = await queueSendTest();
  const rows = [...figures.values()].map((f) => ({
    ...f,
    ...(events.get(f.name) ?? { committed: 0, delivered: 0, lost: 0, duplicates: 0 }),
  }));
  rows.push({ ...replays, committed: 0, delivered: 0, lost: 0, duplicates: 0 });
  if (q.figs) rows.push({ name: "(d) queue send failing [workerd]", ...q.figs });
  else {
    findings.push({
      fault: "(d) queue send failing",
      what: "the workerd test printed no FAULTS-FIGURES line, so its figures are missing from the table",
      expected: "its figures",
    });
  }
  if (q.code !== 0) {
    findings.push({
      fault: "(d) queue send failing",
      what: `workerd test failed:\n${q.out.split("\n").slice(-40).join("\n")}`,
      expected: "pass",
    });
  }
  for (const [fault, e] of events) {
    if (!figures.has(fault) && (e.lost || e.duplicates))
      rows.push({ name: fault, sent: 0, ok: 0, s503: 0, other4xx: 0, s5xx: 0, hangs: 0, ...e });
  }

  const total = { name: "total", sent: 0, ok: 0, s503: 0, other4xx: 0, s5xx: 0, hangs: 0 };
  for (const k of ["sent", "ok", "s503", "other4xx", "s5xx", "hangs", "committed", "delivered", "lost", "duplicates"]) {
    total[k] = rows.reduce((sum, r) => sum + (r[k] ?? 0), 0);
  }
  console.log(`\nFault suite figures (${((Date.now() - t0) / 1000).toFixed(0)} s)\n${table([...rows, total])}\n`);
  console.log(`  uncaught errors in the workers' log: ${uncaught}; findings: ${findings.length}`);
  for (const [name, n] of notes) console.log(`  ${name}: ${n}`);
  if (findings.length) {
    console.log(`\n✘ ${findings.length} finding(s):`);
    // Alike findings (same text but for ids and keys) print once, with where and how often they happened.
    const grouped = Map.groupBy(findings, (f) => f.what.replace(/[0-9a-f-]{36}/g, "#").replace(/\d+/g, "#"));
    console.log(`  (${grouped.size} distinct)`);
    for (const group of grouped.values()) {
      const f = group[0];
      const where = [...new Set(group.map((g) => g.fault))].join("; ");
      console.log(`  - ${group.length}x [${where}]\n      e.g. ${f.what}\n      expected: ${f.expected}`);
    }
  } else console.log("\n✔ no 5xx, no hangs, nothing lost or duplicated; every retry converged");
  clearTimeout(deadline);
  await finish(findings.length ? 1 : 0);
} catch (err) {
  console.error(`✘ fault suite could not run: ${err?.stack ?? err}`);
  if (stack) console.error(stack.logTail());
  clearTimeout(deadline);
  await finish(1);
}
