// `node bench/profile.mjs <scenario> [seconds]`: a CPU profile of the gateway's workerd isolate while a scenario's
// load runs, through wrangler dev's inspector (Chrome DevTools protocol on 127.0.0.1:9229). Prints where the
// isolate's own time goes (self time by function and file, and idle), so a missed ratio can be read against it.
// Needs a dev stack on $PORT (8080): `npm run dev` in another terminal.
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { measure } from "./lib/measure.mjs";

const [name = "booking-create", secondsArg = "8"] = process.argv.slice(2);
const base = `http://127.0.0.1:${process.env.PORT ?? 8080}`;
const inspector = process.env.INSPECTOR ?? "http://127.0.0.1:9229";

async function gatewayTarget() {
  const targets = await (await fetch(`${inspector}/json`)).json();
  const t = targets.find((x) => /kormo-api/.test(`${x.title} ${x.url}`)) ?? targets[0];
  if (!t) throw new Error(`no inspector target at ${inspector}/json: is \`npm run dev\` running?`);
  return t.webSocketDebuggerUrl;
}

function cdp(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let id = 0;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    }
  });
  const ready = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    ready,
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self time per function (ms), from the profile's samples. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const dt = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const out = new Map();
  for (const [nodeId, hits] of counts) {
    const f = byId.get(nodeId).callFrame;
    const file = (f.url || "").split("/").slice(-2).join("/");
    const key = `${f.functionName || "(anonymous)"}  ${file}`;
    out.set(key, (out.get(key) ?? 0) + hits * dt);
  }
  const total = [...out.values()].reduce((a, b) => a + b, 0);
  return { total, rows: [...out.entries()].sort((a, b) => b[1] - a[1]) };
}

const scenario = (await import(pathToFileURL(`${import.meta.dirname}/scenarios/${name}.mjs`).href)).default;
const {
  check: _check,
  compare: _compare,
  ...request
} = await scenario.setup({ base, connections: scenario.connections });
const session = cdp(await gatewayTarget());
await session.ready;
await session.send("Profiler.enable");
await session.send("Profiler.setSamplingInterval", { interval: 200 });
await session.send("Profiler.start");
const result = await measure({ base, request, connections: scenario.connections, duration: Number(secondsArg) });
const { result: stopped } = await session.send("Profiler.stop");
session.close();
const { total, rows } = selfTimes(stopped.profile);
const busy =
  total - rows.filter(([k]) => /^\((idle|program|garbage collector)\)/.test(k)).reduce((a, [, v]) => a + v, 0);
console.log(
  `${name}: ${result.rps} req/s, p95 ${result.p95} ms; isolate profile ${total.toFixed(0)} ms, busy ${busy.toFixed(0)} ms`,
);
console.log(`busy CPU per request ≈ ${(busy / Math.max(1, result.rps * Number(secondsArg))).toFixed(2)} ms`);
for (const [k, v] of rows.slice(0, 25))
  console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(6)} ms  ${k}`);
