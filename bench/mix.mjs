// `npm run bench mix`: an open-loop mixed load at rising arrival rates, with a /health probe stream as the baseline.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { httpClient, Timeout } from "./lib/http.mjs";
import { DEFAULT_WEIGHTS, KINDS, mixWorkload } from "./lib/mix-workload.mjs";
import {
  arrivalOffsets,
  failures,
  parseWeights,
  percentile,
  seeded,
  summarize,
  sustainedRate,
  weightedPicker,
} from "./lib/open-loop.mjs";

const here = dirname(fileURLToPath(import.meta.url));

export class MixUsageError extends Error {}

function number(name, fallback, { integer = false, min = 0 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!(n > min) || (integer && !Number.isInteger(n))) {
    throw new MixUsageError(`${name} must be a ${integer ? "whole " : ""}number above ${min}, got "${raw}"`);
  }
  return n;
}

/** The knobs, from the environment (README: "The mix"). */
export function mixOptions() {
  const rawRates = process.env.BENCH_MIX_RATES ?? "25,50,100,200,400";
  const rates = rawRates.split(",").map((r) => Number(r.trim()));
  if (rates.some((r) => !(r > 0))) {
    throw new MixUsageError(`BENCH_MIX_RATES must list positive rates (req/s), got "${rawRates}"`);
  }
  const arrivals = process.env.BENCH_MIX_ARRIVALS ?? "poisson";
  if (!["poisson", "uniform"].includes(arrivals)) {
    throw new MixUsageError(`BENCH_MIX_ARRIVALS must be poisson or uniform, got "${arrivals}"`);
  }
  let weights = DEFAULT_WEIGHTS;
  try {
    if (process.env.BENCH_MIX_WEIGHTS) weights = parseWeights(process.env.BENCH_MIX_WEIGHTS, KINDS);
    weightedPicker(weights);
  } catch (err) {
    throw new MixUsageError(`BENCH_MIX_WEIGHTS: ${err.message}`);
  }
  return {
    rates: [...rates].sort((a, b) => a - b),
    durationS: number("BENCH_MIX_DURATION", 10),
    warmupS: number("BENCH_MIX_WARMUP", 2, { min: -1 }),
    pauseS: number("BENCH_MIX_PAUSE", 3, { min: -1 }),
    arrivals,
    weights,
    healthRps: number("BENCH_MIX_HEALTH_RPS", 5),
    maxInFlight: number("BENCH_MIX_MAX_INFLIGHT", 512, { integer: true }),
    timeoutMs: number("BENCH_MIX_TIMEOUT", 10, {}) * 1000,
    seed: number("BENCH_MIX_SEED", 20, { integer: true }),
    // A step this far behind (answers per second under half the rate, or a fifth failing) ends the climb.
    stopWhenSaturated: process.env.BENCH_MIX_ALL_STEPS !== "1",
  };
}

let stopping = false;
/** Ctrl-C: the step in progress stops scheduling; what is in flight finishes or times out. */
export function stopMix() {
  stopping = true;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One step: `rate` mixed requests per second plus `healthRps` probes, each sent at its intended time whether or not
 * earlier ones have answered. Latency runs from the intended time, so time spent waiting (for the cap, for a late
 * timer, for the server) is counted, never omitted.
 */
async function runStep({ rate, durationS, opts, ops, send, rand }) {
  const pick = weightedPicker(opts.weights);
  const schedule = [
    ...arrivalOffsets(rate, durationS, { process: opts.arrivals, rand }).map((at) => ({ at, kind: pick(rand()) })),
    ...arrivalOffsets(opts.healthRps, durationS, { process: "uniform" }).map((at) => ({ at, kind: "health" })),
  ].sort((a, b) => a.at - b.at);
  const samples = Object.fromEntries([...KINDS, "health"].map((k) => [k, []]));
  const labels = {};
  const lags = [];
  const waiting = [];
  let inFlight = 0;
  let capped = 0;
  let maxWaiting = 0;
  let skipped = 0;
  let lastAnswer = 0;
  const opRand = seeded(opts.seed * 7919 + rate);
  const t0 = performance.now() + 20;

  const launch = (item) => {
    inFlight++;
    const op =
      item.kind === "health" ? () => send({ path: "/health" }).then((r) => ({ status: r.status })) : ops[item.kind];
    op(send, opRand)
      .then(
        (r) => {
          if (r.skipped) {
            skipped++;
            return null;
          }
          return { status: r.status, expected: r.expected === true, label: r.label };
        },
        (err) => ({ status: 0, error: err instanceof Timeout ? "timeout" : "error", label: undefined }),
      )
      .then((r) => {
        const done = performance.now() - t0;
        lastAnswer = Math.max(lastAnswer, done);
        if (r) {
          samples[item.kind].push({ ...r, ms: done - item.at });
          if (r.label) labels[r.label] = (labels[r.label] ?? 0) + 1;
        }
        inFlight--;
        const next = waiting.shift();
        if (next) launch(next);
      });
  };

  let i = 0;
  while (i < schedule.length && !stopping) {
    const now = performance.now() - t0;
    while (i < schedule.length && schedule[i].at <= now) {
      const item = schedule[i++];
      // How late the generator itself is (its timers, its CPU); a wait for the in-flight cap is counted apart.
      lags.push(now - item.at);
      if (inFlight < opts.maxInFlight) launch(item);
      else {
        capped++;
        waiting.push(item);
        maxWaiting = Math.max(maxWaiting, waiting.length);
      }
    }
    if (i < schedule.length) {
      const wait = schedule[i].at - (performance.now() - t0);
      await (wait > 1 ? sleep(Math.min(wait, 50) - 0.5) : new Promise((r) => setImmediate(r)));
    }
  }
  const deadline = performance.now() + opts.timeoutMs + 1000;
  while ((inFlight > 0 || waiting.length > 0) && performance.now() < deadline) await sleep(20);

  const kinds = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, summarize(s)]));
  const mixed = KINDS.flatMap((k) => samples[k]);
  const overall = summarize(mixed);
  lags.sort((a, b) => a - b);
  const sent = mixed.length;
  return {
    rate,
    duration_s: durationS,
    sent,
    // Answers per second while the step ran (until the last answer came): below the rate once the stack falls behind.
    achieved_rps: Number((sent / Math.max(durationS, lastAnswer / 1000)).toFixed(1)),
    overall,
    kinds,
    labels,
    failures: failures(overall),
    cap: { max_in_flight: opts.maxInFlight, waited: capped, max_waiting: maxWaiting },
    skipped,
    send_lag_ms: { p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)) },
  };
}

const round = (n) => (n === null ? null : Number(n.toFixed(2)));
const fmt = (v) => (v === null || v === undefined ? "-" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const SHORT = {
  search: "search",
  profile: "profile",
  availability: "avail",
  "booking-read": "b-read",
  write: "write",
  login: "login",
};

function printCurve(steps) {
  const header = [
    "rate",
    "achieved",
    ...KINDS.map((k) => `${SHORT[k]} p95`),
    "p95",
    "p99",
    "health p95",
    "5xx",
    "4xx?",
    "err",
    "t/o",
    "409",
    "capped",
  ];
  const rows = steps.map((s) => {
    const other4xx = Object.values(s.overall.other4xx).reduce((a, b) => a + b, 0);
    return [
      String(s.rate),
      s.achieved_rps.toFixed(1),
      ...KINDS.map((k) => fmt(s.kinds[k].p95)),
      fmt(s.overall.p95),
      fmt(s.overall.p99),
      fmt(s.kinds.health.p95),
      String(s.overall.fivexx),
      String(other4xx),
      String(s.overall.errors),
      String(s.overall.timeouts),
      String(s.overall.expected4xx[409] ?? 0),
      String(s.cap.waited),
    ];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padStart(widths[i])).join("  ");
  console.log(`  latencies in ms, from each request's intended send time\n  ${line(header)}`);
  for (const r of rows) console.log(`  ${line(r)}`);
}

/** The highest rate each kind (and the whole mix) held p95 within 2x of the first step, with under 1% failures. */
function verdicts(steps) {
  const held = (p95Of, summaryOf) =>
    sustainedRate(steps, p95Of, {
      factor: 2,
      failuresOf: (s) => failures(summaryOf(s)),
      countOf: (s) => summaryOf(s).count,
    });
  return {
    overall: held(
      (s) => s.overall.p95,
      (s) => s.overall,
    ),
    ...Object.fromEntries(
      [...KINDS, "health"].map((k) => [
        k,
        held(
          (s) => s.kinds[k].p95,
          (s) => s.kinds[k],
        ),
      ]),
    ),
  };
}

export async function runMix({ base, log }) {
  const opts = mixOptions();
  const startedAt = new Date().toISOString();
  const client = httpClient(base, { timeoutMs: opts.timeoutMs });
  const weights = Object.entries(opts.weights)
    .map(([k, w]) => `${k} ${w}`)
    .join(", ");
  console.log(
    `\n▶ mix: open-loop ${opts.arrivals} arrivals at ${opts.rates.join(", ")} req/s, ${opts.durationS} s each` +
      `\n  blend: ${weights}; /health probes at ${opts.healthRps} req/s beside it`,
  );
  try {
    const { ops, refreshTokens, stats } = await mixWorkload({ base, send: client.send, log });
    const rand = seeded(opts.seed);
    if (opts.warmupS > 0) {
      log(`warm-up: ${opts.warmupS} s at ${opts.rates[0]} req/s`);
      await runStep({ rate: opts.rates[0], durationS: opts.warmupS, opts, ops, send: client.send, rand });
    }
    const steps = [];
    for (const rate of opts.rates) {
      if (stopping) break;
      await refreshTokens();
      if (steps.length && opts.pauseS > 0) await sleep(opts.pauseS * 1000);
      log(`step: ${rate} req/s for ${opts.durationS} s`);
      const step = await runStep({ rate, durationS: opts.durationS, opts, ops, send: client.send, rand });
      steps.push(step);
      log(
        `  ${step.sent} sent, ${step.achieved_rps} answered/s, p95 ${fmt(step.overall.p95)} ms, ${step.failures} failures` +
          `${step.cap.waited ? `, ${step.cap.waited} waited for the in-flight cap` : ""}`,
      );
      const saturated = step.achieved_rps < rate / 2 || step.failures > step.sent / 5;
      if (saturated && opts.stopWhenSaturated && rate !== opts.rates.at(-1)) {
        log("  the stack is saturated: higher rates skipped (BENCH_MIX_ALL_STEPS=1 runs them anyway)");
        break;
      }
    }
    if (steps.length === 0) return null;
    console.log("");
    printCurve(steps);
    const held = verdicts(steps);
    const first = steps[0];
    console.log(
      `\n  p95 within 2x of its ${first.rate} req/s value (${fmt(first.overall.p95)} ms), under 1% failures:` +
        `\n    overall up to ${held.overall ?? "-"} req/s; ` +
        [...KINDS, "health"].map((k) => `${k} ${held[k] ?? "-"}`).join(", "),
    );
    const capHit = steps.filter((s) => s.cap.waited > 0);
    if (capHit.length) {
      console.log(
        `  ⚠ the in-flight cap (${opts.maxInFlight}) was hit at ${capHit.map((s) => `${s.rate} req/s (${s.cap.waited} waited)`).join(", ")}; that wait is inside the latencies`,
      );
    }
    const lagging = steps.filter((s) => (s.send_lag_ms.p99 ?? 0) > 20);
    if (lagging.length) {
      console.log(
        `  ⚠ the generator sent late (p99 lag ${lagging.map((s) => `${s.send_lag_ms.p99} ms at ${s.rate}`).join(", ")}): it shares the cores; the lag is inside the latencies`,
      );
    }
    if (stats.loginFallbacks)
      console.log(`  ${stats.loginFallbacks} logins skipped: no refresh chain or test number free`);
    const out = {
      scenario: "mix",
      method: "open loop: each request sent at its intended time, latency measured from that time",
      arrivals: opts.arrivals,
      weights: opts.weights,
      duration_s: opts.durationS,
      health_rps: opts.healthRps,
      max_in_flight: opts.maxInFlight,
      timeout_ms: opts.timeoutMs,
      seed: opts.seed,
      steps,
      sustained_rps: held,
      goal: "highest rate with p95 <= 2x its first-step value and under 1% failures, overall and per kind",
      write_fallbacks: stats.writeFallbacks,
      login_skipped: stats.loginFallbacks,
      started_at: startedAt,
    };
    writeFileSync(join(here, "results", "mix.json"), `${JSON.stringify(out, null, 2)}\n`);
    log("wrote bench/results/mix.json");
    return out;
  } finally {
    client.close();
  }
}
