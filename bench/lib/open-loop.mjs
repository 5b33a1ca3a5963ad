// The pure half of the open-loop bench: when requests are due, which kind each is, and how the answers summarise.

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule and the same blend every run. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Intended send times, in ms from the start of a step, for `rate` requests per second over `durationS` seconds.
 * "uniform": one every 1000/rate ms. "poisson": exponential gaps with that mean (independent arrivals, as many
 * users acting on their own produce), so short bursts happen the way they do in production.
 */
export function arrivalOffsets(rate, durationS, { process = "poisson", rand = Math.random } = {}) {
  if (!(rate > 0) || !(durationS > 0)) return [];
  const end = durationS * 1000;
  const gap = 1000 / rate;
  const out = [];
  if (process === "uniform") {
    for (let t = 0; t < end; t += gap) out.push(t);
    return out;
  }
  if (process !== "poisson") throw new Error(`unknown arrival process "${process}" (poisson or uniform)`);
  // 1 - rand() is in (0, 1]: the logarithm stays finite.
  for (let t = -Math.log(1 - rand()) * gap; t < end; t += -Math.log(1 - rand()) * gap) out.push(t);
  return out;
}

/** A picker over `{ kind: weight }`: given a uniform number in [0, 1), the kind it falls on. */
export function weightedPicker(weights) {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (!(total > 0)) throw new Error("the weights must have a positive sum");
  return (u) => {
    let upto = 0;
    for (const [kind, w] of entries) {
      upto += w / total;
      if (u < upto) return kind;
    }
    return entries[entries.length - 1][0];
  };
}

/** "search:70,profile:8" -> { search: 70, profile: 8 }; unknown kinds and bad numbers are refused. */
export function parseWeights(text, known) {
  const out = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [kind, raw] = part.split(":").map((s) => s.trim());
    const w = Number(raw);
    if (!known.includes(kind)) throw new Error(`unknown kind "${kind}" in weights; kinds: ${known.join(", ")}`);
    if (!(w >= 0)) throw new Error(`weight of "${kind}" must be a number >= 0, got "${raw}"`);
    out[kind] = w;
  }
  return out;
}

/** Nearest-rank percentile of an ascending array (null when empty), as bench/lib/measure.mjs takes it. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (n) => (n === null ? null : Number(n.toFixed(2)));

/**
 * One kind's answers in one step. A sample is `{ ms, status, expected?, error? }`: `ms` runs from the INTENDED send
 * time to the answer; `status` is the HTTP status (0 when there was none); `expected` marks a 4xx the workload
 * counts as a normal outcome (a 409 conflict); `error` is "timeout" or "error" (connection failure) when no answer
 * came. Latency percentiles cover the successes: 2xx and expected 4xx.
 */
export function summarize(samples) {
  const ok = [];
  const out = { count: samples.length, ok2xx: 0, expected4xx: {}, other4xx: {}, fivexx: 0, errors: 0, timeouts: 0 };
  for (const s of samples) {
    if (s.error === "timeout") out.timeouts++;
    else if (s.error) out.errors++;
    else if (s.status >= 200 && s.status < 300) {
      out.ok2xx++;
      ok.push(s.ms);
    } else if (s.status >= 400 && s.status < 500 && s.expected) {
      out.expected4xx[s.status] = (out.expected4xx[s.status] ?? 0) + 1;
      ok.push(s.ms);
    } else if (s.status >= 500) out.fivexx++;
    else out.other4xx[s.status] = (out.other4xx[s.status] ?? 0) + 1;
  }
  ok.sort((a, b) => a - b);
  return { ...out, p50: round(percentile(ok, 50)), p95: round(percentile(ok, 95)), p99: round(percentile(ok, 99)) };
}

/** Failures that count against a step: 5xx, unexpected 4xx, connection errors and timeouts. */
export function failures(summary) {
  const other = Object.values(summary.other4xx).reduce((s, n) => s + n, 0);
  return summary.fivexx + other + summary.errors + summary.timeouts;
}

/**
 * The highest rate up to which `p95Of(step)` stays within `factor` times its value at the first (lowest) step,
 * every step so far, with failures at most `maxFailureShare` of its requests. null when even the first step fails
 * (no p95, or too many failures). `steps` are in rising order, each `{ rate, ... }`.
 */
export function sustainedRate(steps, p95Of, { factor = 2, maxFailureShare = 0.01, failuresOf, countOf } = {}) {
  const first = steps[0] ? p95Of(steps[0]) : null;
  if (first === null || first === undefined) return null;
  let best = null;
  for (const step of steps) {
    const p95 = p95Of(step);
    const count = countOf ? countOf(step) : 0;
    const failed = failuresOf ? failuresOf(step) : 0;
    if (p95 === null || p95 === undefined || p95 > factor * first) break;
    if (count > 0 && failed / count > maxFailureShare) break;
    best = step.rate;
  }
  return best;
}
