// One autocannon run, summarised with exact latency percentiles taken from every 2xx response.
import autocannon from "autocannon";

let current;

/** Stops the run in progress (Ctrl-C); its promise then resolves with the partial result. */
export function stopCurrent() {
  current?.stop();
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n, digits = 2) => (n === null ? null : Number(n.toFixed(digits)));

/**
 * `request` is what a scenario's setup() returned, minus `check`: `path` joins the base URL, every other key
 * (method, headers, body, requests, …) goes to autocannon as is. connections/duration always come from the
 * harness so baseline and target stay comparable.
 */
export async function measure({ base, request, connections, duration, amount }) {
  const { path = "/", ...options } = request;
  const latencies = [];
  const all = [];
  const statuses = {};
  // With `amount` the run sends exactly that many requests (one burst), else it runs for `duration` seconds.
  const limit = amount ? { amount } : { duration };
  current = autocannon({ ...options, url: new URL(path, base).href, connections, ...limit });
  // autocannon's histogram has p90 and p97_5 but no p95; keeping every sample makes all percentiles exact.
  // Only 2xx count, as in autocannon's own latency stats: fast rejections would otherwise flatter a failing target.
  current.on("response", (_client, status, _bytes, ms) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    all.push(ms);
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await current;
  current = undefined;
  latencies.sort((a, b) => a - b);
  all.sort((a, b) => a - b);
  return {
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    rps: round(result.requests.average, 1),
    errors: result.errors,
    non2xx: result.non2xx,
    statuses,
    /** p99 over every answer, 2xx or not: what a burst of conflicting requests feels like. */
    p99_all: round(percentile(all, 99)),
  };
}
