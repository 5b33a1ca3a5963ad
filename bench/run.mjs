// `npm run bench [scenario…]`: load-tests scenarios against the dev stack, each next to a GET /health baseline.
// `npm run bench mix` runs the open-loop mixed load instead (bench/mix.mjs); `npm run bench costs` measures what each
// operation costs the back ends (bench/costs.mjs). Neither is part of a bare `npm run bench`.
import { readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { requireNode22 } from "../dev/stack.mjs";
import { runCosts } from "./costs.mjs";
import { measure, stopCurrent } from "./lib/measure.mjs";
import { devStack, StackError } from "./lib/stack.mjs";
import { MixUsageError, mixOptions, runMix, stopMix } from "./mix.mjs";

requireNode22();
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const port = Number(process.env.PORT ?? 8080);
// 127.0.0.1, not localhost: dev.mjs binds wrangler to 127.0.0.1 only, and localhost may resolve to ::1 first.
const base = `http://127.0.0.1:${port}`;
// Long enough for workerd to compile and JIT the hot path and for keep-alive connections to open.
const WARMUP_S = 1.5;
const BASELINE = { method: "GET", path: "/health" };
const log = (m) => console.log(`[bench] ${m}`);

class UsageError extends Error {}

async function loadScenarios() {
  const dir = join(here, "scenarios");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const scenarios = [];
  for (const file of files) {
    const s = (await import(pathToFileURL(join(dir, file)).href)).default;
    const problems = [
      s?.name === basename(file, ".mjs") || "name must equal the file name",
      (Number.isInteger(s?.connections) && s.connections > 0) || "connections must be a positive integer",
      s?.duration_s > 0 || "duration_s must be a positive number",
      typeof s?.setup === "function" || "setup must be a function",
    ].filter((p) => p !== true);
    if (problems.length) throw new UsageError(`bench/scenarios/${file}: ${problems.join("; ")}`);
    scenarios.push(s);
  }
  return scenarios;
}

function pick(all, names) {
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((n) => `"${n}"`).join(", ")}; available: ${all.map((s) => s.name).join(", ")}, mix (the open-loop blend)`,
    );
  }
  return all.filter((s) => names.includes(s.name));
}

function durationOverride() {
  const raw = process.env.BENCH_DURATION;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!(n > 0)) throw new UsageError(`BENCH_DURATION must be a positive number of seconds, got "${raw}"`);
  return n;
}

const ratio = (t, b) => (t === null || !b ? null : Number((t / b).toFixed(2)));

async function warmAndMeasure(label, request, connections, duration, { amount, warmup = true } = {}) {
  const span = amount ? `${amount} requests` : `${duration} s`;
  log(`${label}: ${warmup ? `warm-up ${WARMUP_S} s, then ` : ""}${span} at ${connections} connections`);
  if (warmup) await measure({ base, request, connections, duration: WARMUP_S });
  return measure({ base, request, connections, duration, amount });
}

function printTable(rows, ratios) {
  const fmt = (v, digits = 2) => (v === null ? "-" : v.toFixed(digits));
  const header = ["", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors", "non-2xx"];
  const body = rows.map(([name, r]) => [
    name,
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    fmt(r.rps, 1),
    String(r.errors),
    String(r.non2xx),
  ]);
  body.push(["ratio", ...ratios.map((x) => (x === null ? "-" : `${x.toFixed(2)}x`)), "", "", ""]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("   ");
  console.log(`  ${line(header)}\n${body.map((row) => `  ${line(row)}`).join("\n")}`);
}

async function runScenario(s, durationOverrideS) {
  const duration = durationOverrideS ?? s.duration_s;
  const startedAt = new Date().toISOString();
  console.log(`\n▶ ${s.name}: ${s.description ?? ""}${s.target ? `\n  target: ${s.target}` : ""}`);
  const { check, compare, ...request } = await s.setup({ base, connections: s.connections });
  // A burst scenario (amount) sends a fixed number of requests once, with no warm-up that would spend them.
  const burst = s.amount ? { amount: s.amount, warmup: false } : {};
  const baseline = await warmAndMeasure("baseline GET /health", BASELINE, s.connections, duration, {
    amount: s.amount,
  });
  const target = await warmAndMeasure(`target ${s.name}`, request, s.connections, duration, burst);
  const ratios = {
    p50: ratio(target.p50, baseline.p50),
    p95: ratio(target.p95, baseline.p95),
    p99: ratio(target.p99, baseline.p99),
  };

  console.log("");
  printTable(
    [
      ["baseline", baseline],
      ["target", target],
    ],
    [ratios.p50, ratios.p95, ratios.p99],
  );
  if (baseline.errors || baseline.non2xx) {
    console.log(
      `  ⚠ the baseline itself saw ${baseline.errors} errors and ${baseline.non2xx} non-2xx: the stack is struggling`,
    );
  }
  if (target.errors || target.non2xx) {
    console.log(`  ⚠ target: ${target.errors} errors, ${target.non2xx} non-2xx responses (latencies cover 2xx only)`);
  }
  console.log(`  target status codes: ${JSON.stringify(target.statuses)}`);
  // Some scenarios set their numbers beside another measurement of the same work (e.g. the same SQL via pgbench).
  const comparison = compare ? await compare() : null;
  if (comparison) console.log(`  beside it: ${comparison.text}`);
  const verdict = check ? await check({ baseline, target, ratio: ratios, comparison }) : null;
  if (verdict) console.log(`  ${verdict.ok ? "✔ target met" : "✘ TARGET MISSED"}: ${verdict.text}`);

  const out = {
    scenario: s.name,
    connections: s.connections,
    duration_s: duration,
    baseline,
    target,
    ratio_p50: ratios.p50,
    ratio_p95: ratios.p95,
    ratio_p99: ratios.p99,
    goal: s.target ?? null,
    ...(s.amount ? { amount: s.amount } : {}),
    ...(comparison ? { comparison } : {}),
    check: verdict,
    started_at: startedAt,
  };
  writeFileSync(join(here, "results", `${s.name}.json`), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote bench/results/${s.name}.json`);
  return verdict;
}

const stack = devStack({ root, base, port, log });
let shuttingDown = false;

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  stopCurrent();
  stopMix();
  await stack.down();
  process.exit(code);
}
process.on("SIGINT", () => {
  log("interrupted");
  shutdown(130);
});
process.on("SIGTERM", () => shutdown(143));
// Whatever breaks, the stack this process started must not outlive it.
process.on("uncaughtException", (err) => {
  console.error(`✘ ${err?.stack ?? err}`);
  shutdown(1);
});

try {
  const names = process.argv.slice(2);
  const mix = names.includes("mix");
  const costs = names.includes("costs");
  const rest = names.filter((n) => n !== "mix" && n !== "costs");
  const all = await loadScenarios();
  const selected = (mix || costs) && rest.length === 0 ? [] : pick(all, rest);
  const durationS = durationOverride();
  if (mix) mixOptions(); // bad knobs fail before the stack starts
  await stack.up();
  const missed = [];
  for (const s of selected) {
    const verdict = await runScenario(s, durationS);
    if (verdict && !verdict.ok) missed.push(`${s.name}: ${verdict.text}`);
  }
  if (mix) await runMix({ base, log });
  if (costs) {
    const rows = await runCosts({ base });
    console.log("\n▶ costs: per operation, measured (docs/capacity.md uses these)");
    console.table(rows);
    writeFileSync(join(here, "results", "costs.json"), `${JSON.stringify(rows, null, 2)}\n`);
  }
  if (selected.length > 1 || missed.length) {
    console.log(
      missed.length ? `\n✘ ${missed.length} target(s) missed:\n  ${missed.join("\n  ")}` : "\n✔ all targets met",
    );
  }
  await shutdown(0);
} catch (err) {
  console.error(
    `✘ ${err instanceof UsageError || err instanceof StackError || err instanceof MixUsageError ? err.message : (err?.stack ?? err)}`,
  );
  await shutdown(1);
}
