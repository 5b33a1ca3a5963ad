// The faults: each breaks one real part of the running stack for a few seconds while traffic runs, then restores it.
import { execFileSync } from "node:child_process";
import { withAdmin } from "./stack.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most `ms`) until the ws bridge carries a statement the server has not answered yet. */
async function untilInFlight(ws, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until && ws.inFlight() === 0) await sleep(5);
}

/** Every backend of the suite's database except the caller's, as a server restart would end them. */
const terminateAll = (stack) =>
  withAdmin((c) =>
    c.query(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [stack.dbName],
    ),
  ).then((r) => r.rows[0].n);

/** A real restart of the shared cluster, only when asked for (other processes use this Postgres). */
async function restartCluster(log) {
  const { version, cluster } = await withAdmin(async (c) => {
    const v = (await c.query("SELECT current_setting('server_version_num')::int / 10000 AS v")).rows[0].v;
    const dir = (await c.query("SELECT current_setting('data_directory') AS d")).rows[0].d;
    return { version: String(v), cluster: dir.split("/").pop() };
  });
  log(`restarting Postgres cluster ${version}/${cluster}`);
  execFileSync("pg_ctlcluster", [version, cluster, "restart", "-m", "fast"], { stdio: "ignore", timeout: 60_000 });
}

async function simFail(port, body) {
  const res = await fetch(`http://127.0.0.1:${port}/__sim/fail`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator :${port} refused ${JSON.stringify(body)}: ${res.status}`);
}

/** A gateway simulator failing every API call in `mode` for `ms`, then healthy again. */
function gatewayFault(name, sim, mode, method, extra = {}) {
  return {
    name,
    method,
    async inject({ stack, note }) {
      const port = stack.ports[sim];
      await sleep(1_500); // creates and accepts first, so confirms meet the fault
      await simFail(port, { mode, count: 10_000, ...extra });
      note(`${sim} answers every call with ${mode === "500" ? "HTTP 500" : "silence (timeout)"}`);
      await sleep(7_000);
      await simFail(port, { mode, count: 0, ...extra });
    },
  };
}

/**
 * In run order. `method` is how the phase's bookings pay (the payment faults need confirms that reach the gateway).
 * (d), the queue send failing, has no honest switch in `wrangler dev` and runs as a workerd test (queue-send.test.ts).
 */
export function faultPlan({ pgRestart }) {
  return [
    {
      name: "baseline (no fault)",
      method: "card",
      async inject() {
        await sleep(4_000);
      },
    },
    {
      name: "(a) pg bridges killed mid-transaction",
      method: "card",
      async inject({ stack, note }) {
        // Both ways to Postgres: the WebSocket bridge (the gateway's request pools) and the HTTP bridge (reads and
        // the providers' objects), cut with statements in flight, then refusing new ones for 3 s.
        const ws = stack.bridges.ws;
        const http = stack.bridges.sqlHttp;
        await sleep(1_000);
        let cut = 0;
        let busy = 0;
        let httpCuts = 0;
        for (let i = 0; i < 5; i++) {
          await untilInFlight(ws, 1_500);
          busy += ws.inFlight();
          cut += ws.dropConnections();
          if (http && i % 2 === 0) {
            await http.suspend();
            httpCuts++;
            await sleep(300);
            await http.resume();
          }
          await sleep(700);
        }
        await ws.suspend();
        await http?.suspend();
        await sleep(3_000);
        await ws.resume();
        await http?.resume();
        note(
          `cut ${cut} WebSocket connections (${busy} with a statement in flight) and the HTTP bridge's ${httpCuts} ` +
            "times, then both refused new ones for 3 s",
        );
      },
    },
    {
      name: pgRestart ? "(b) Postgres restarted" : "(b) Postgres drops every connection",
      method: "card",
      async inject({ stack, note, log }) {
        await sleep(1_000);
        let n = 0;
        for (let i = 0; i < 3; i++) {
          n += await terminateAll(stack);
          await sleep(1_500);
        }
        if (pgRestart) await restartCluster(log);
        note(
          `pg_terminate_backend ended ${n} backends of the suite's database${pgRestart ? "; cluster restarted" : ""}`,
        );
      },
    },
    {
      name: "(c) Redis unavailable",
      method: "cash",
      redis: true,
      async inject({ stack, note }) {
        const up = stack.bridges.upstash;
        await sleep(1_000);
        await up.suspend();
        await sleep(4_000);
        await up.resume();
        await sleep(1_000);
        up.stall();
        await sleep(4_000);
        await up.resume();
        note("Upstash bridge refused connections for 4 s, then took requests and answered none for 4 s");
      },
    },
    gatewayFault("(e) Stripe hold answers 500", "stripe", "500", "card", { path_prefix: "/v1/payment_intents" }),
    gatewayFault("(e) Stripe hold times out", "stripe", "timeout", "card", { path_prefix: "/v1/payment_intents" }),
    gatewayFault("(e) bKash answers 500", "bkash", "500", "bkash"),
    gatewayFault("(e) bKash times out", "bkash", "timeout", "bkash"),
    gatewayFault("(e) Nagad answers 500", "nagad", "500", "nagad"),
    gatewayFault("(e) Nagad times out", "nagad", "timeout", "nagad"),
  ];
}
