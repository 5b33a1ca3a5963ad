// The WebSocket bridge carries the real Neon serverless driver to the local Postgres.

import { request } from "node:http";
import { Client, neonConfig, Pool } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startWsBridge } from "../../bridges/ws-bridge.mjs";
import { uniquePrefix, waitFor } from "./helpers.mjs";

const PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const appName = uniquePrefix("ws").replaceAll(":", "_");

/** @type {Awaited<ReturnType<typeof startWsBridge>>} */
let bridge;
/** Direct (non-bridged) connection used to observe and kill server-side sessions. */
const admin = new pg.Client({ connectionString: PG_URL });

beforeAll(async () => {
  // 127.0.0.1:1 is allowed on purpose: nothing listens there, which exercises the dial-failure path.
  bridge = await startWsBridge({ allow: ["127.0.0.1:5432", "127.0.0.1:1"] });
  // neonConfig is module-global; this file owns it for its worker.
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${bridge.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await bridge?.close();
});

/** @param {string} name */
function neonClient(name = appName) {
  return new Client({ connectionString: `${PG_URL}?application_name=${name}` });
}

/**
 * A Postgres v3 StartupMessage, for driving the bridge without a driver.
 * @param {Record<string, string>} params
 */
function startupMessage(params) {
  const body = Buffer.from(`${Object.entries(params).flat().join("\0")}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, body]);
}

/** @param {string} name */
async function sessionsNamed(name) {
  const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [
    name,
  ]);
  return rows[0].n;
}

/**
 * Attempt a WebSocket upgrade and report the HTTP status the bridge answered with (101 on success).
 * @param {string} path
 */
function upgradeStatus(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}${path}`);
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode);
      ws.terminate();
    });
    ws.once("open", () => {
      resolve(101);
      ws.close();
    });
    ws.once("error", (err) => reject(err));
  });
}

describe("ws bridge with the Neon serverless driver", () => {
  it("runs a plain query and a parameterized query through a Client", async () => {
    const client = neonClient();
    await client.connect();
    try {
      const sum = await client.query("select 1 + 1 as n");
      expect(sum.rows).toEqual([{ n: 2 }]);
      const echo = await client.query("select $1::text as name, $2::int * 2 as doubled", ["কর্ম মেলা", 21]);
      expect(echo.rows).toEqual([{ name: "কর্ম মেলা", doubled: 42 }]);
    } finally {
      await client.end();
    }
  });

  it("serves concurrent queries from a Pool", async () => {
    const pool = new Pool({ connectionString: PG_URL, max: 3 });
    try {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => pool.query("select $1::int + 1 as n, pg_sleep(0.05)", [i])),
      );
      expect(results.map((r) => r.rows[0].n)).toEqual([2, 3, 4, 5, 6]);
    } finally {
      await pool.end();
    }
  });

  it("carries a multi-megabyte result intact across many frames", async () => {
    const client = neonClient();
    await client.connect();
    try {
      const { rows } = await client.query("select repeat('কর্ম', 500000) as big, md5(repeat('কর্ম', 500000)) as sum");
      expect(rows[0].big.length).toBe(2_000_000);
      expect(rows[0].big.startsWith("কর্মকর্ম")).toBe(true);
      const check = await client.query("select md5($1::text) = $2 as same", [rows[0].big, rows[0].sum]);
      expect(check.rows[0].same).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("closes the server-side Postgres session when the client ends", async () => {
    const name = `${appName}end`;
    const client = neonClient(name);
    await client.connect();
    await client.query("select 1");
    expect(await sessionsNamed(name)).toBe(1);
    expect(bridge.activeConnections()).toBeGreaterThan(0);

    await client.end();
    await waitFor(async () => (await sessionsNamed(name)) === 0);
    await waitFor(() => bridge.activeConnections() === 0);
  });

  it("drops the Postgres session when the websocket vanishes without a Terminate message", async () => {
    const name = `${appName}drop`;
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/v1?address=127.0.0.1:5432`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const ready = new Promise((resolve) => {
      // Walk the backend messages (type byte + int32 length) until ReadyForQuery ('Z').
      let pending = Buffer.alloc(0);
      ws.on("message", (/** @type {Buffer} */ data) => {
        pending = Buffer.concat([pending, data]);
        while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
          if (pending[0] === 0x5a) resolve(undefined);
          pending = pending.subarray(1 + pending.readInt32BE(1));
        }
      });
    });
    ws.send(startupMessage({ user: "postgres", database: "postgres", application_name: name }));
    await ready;
    expect(await sessionsNamed(name)).toBe(1);

    ws.terminate(); // no close frame, no Terminate: only the bridge can tell Postgres

    await waitFor(async () => (await sessionsNamed(name)) === 0);
    await waitFor(() => bridge.activeConnections() === 0);
  });

  it("closes the websocket and fails the client when Postgres terminates the backend", async () => {
    const name = `${appName}kill`;
    const client = neonClient(name);
    const ended = new Promise((resolve) => client.once("end", resolve));
    /** @type {Error[]} */
    const errors = [];
    client.on("error", (err) => errors.push(err)); // Postgres' FATAL, then the socket closing
    await client.connect();
    const { rows } = await client.query("select pg_backend_pid() as pid");

    await admin.query("select pg_terminate_backend($1)", [rows[0].pid]);

    await ended;
    expect(errors[0]?.message).toMatch(/terminating connection due to administrator command/);
    await expect(client.query("select 1")).rejects.toThrow();
    await waitFor(() => bridge.activeConnections() === 0);
  });

  it("terminates live connections when the bridge is closed", async () => {
    const own = await startWsBridge();
    const client = new Client({ connectionString: PG_URL });
    client.neonConfig.wsProxy = (host, port) => `127.0.0.1:${own.port}/v1?address=${host}:${port}`;
    const ended = new Promise((resolve) => client.once("end", resolve));
    client.on("error", () => {});
    await client.connect();
    expect(own.activeConnections()).toBe(1);

    await own.close();

    await ended;
    expect(own.activeConnections()).toBe(0);
  });
});

describe("ws bridge access rules", () => {
  it("refuses a target address outside the allow-list with 403", async () => {
    expect(await upgradeStatus("/v1?address=127.0.0.1:6379")).toBe(403);
    expect(await upgradeStatus("/v1?address=localhost:5432")).toBe(403);
  });

  it("makes the Neon client fail to connect to a disallowed address", async () => {
    const client = new Client({ connectionString: "postgres://postgres@127.0.0.1:6379/postgres" });
    client.on("error", () => {});
    await expect(client.connect()).rejects.toThrow();
  });

  it("rejects a malformed or missing address with 400", async () => {
    expect(await upgradeStatus("/v1")).toBe(400);
    expect(await upgradeStatus("/v1?address=127.0.0.1")).toBe(400);
  });

  it("answers 502 when an allowed target does not accept connections", async () => {
    expect(await upgradeStatus("/v1?address=127.0.0.1:1")).toBe(502);
    await waitFor(() => bridge.activeConnections() === 0);
  });

  it("releases the dialled TCP socket when the WebSocket handshake itself is invalid", async () => {
    const status = await new Promise((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port: bridge.port,
        path: "/v1?address=127.0.0.1:5432",
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "bad",
        },
      });
      req.once("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.once("upgrade", () => reject(new Error("handshake unexpectedly accepted")));
      req.once("error", reject);
      req.end();
    });
    expect(status).toBe(400);
    await waitFor(() => bridge.activeConnections() === 0);
  });

  it("upgrades only on /v1 and answers 404 elsewhere", async () => {
    expect(await upgradeStatus("/v1?address=127.0.0.1:5432")).toBe(101);
    expect(await upgradeStatus("/v2?address=127.0.0.1:5432")).toBe(404);
    const res = await fetch(`http://127.0.0.1:${bridge.port}/nope`);
    expect(res.status).toBe(404);
  });

  it("answers a plain GET /health with 200 ok", async () => {
    const res = await fetch(`http://127.0.0.1:${bridge.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });
});
