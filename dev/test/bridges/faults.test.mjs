// The bridges' fault-injection controls (used by `npm run test:faults`) break and restore exactly what they say.
import { Client, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startUpstashBridge } from "../../bridges/upstash-bridge.mjs";
import { startWsBridge } from "../../bridges/ws-bridge.mjs";
import { waitFor } from "./helpers.mjs";

const PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15";
const TOKEN = "test-token-faults";

/** @type {Awaited<ReturnType<typeof startWsBridge>>} */
let ws;
/** @type {Awaited<ReturnType<typeof startUpstashBridge>>} */
let upstash;

beforeAll(async () => {
  ws = await startWsBridge({ allow: ["127.0.0.1:5432"] });
  upstash = await startUpstashBridge({ token: TOKEN, redisUrl: REDIS_URL });
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${ws.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
});

afterAll(async () => {
  await ws?.close();
  await upstash?.close();
});

/** A fresh bridged client, connected. */
async function connected() {
  const client = new Client({ connectionString: PG_URL });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** @param {string} command */
function ping(command = "PING") {
  return fetch(upstash.url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify([command]),
    signal: AbortSignal.timeout(1_500),
  });
}

describe("ws bridge fault controls", () => {
  it("counts a statement in flight and fails it when the connections are dropped", async () => {
    const client = await connected();
    const slow = client.query("SELECT pg_sleep(5)");
    await waitFor(() => ws.inFlight() === 1);
    expect(ws.dropConnections()).toBe(1);
    await expect(slow).rejects.toThrow();
    expect(ws.activeConnections()).toBe(0);
    expect(ws.inFlight()).toBe(0);
  });

  it("refuses connections while suspended and accepts them again on the same port after resume", async () => {
    const before = await connected();
    const port = ws.port;
    await ws.suspend();
    await expect(before.query("SELECT 1")).rejects.toThrow();
    await expect(connected()).rejects.toThrow();
    await ws.resume();
    expect(ws.port).toBe(port);
    const after = await connected();
    expect((await after.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await after.end();
  });
});

describe("upstash bridge fault controls", () => {
  it("refuses requests while suspended and answers again after resume", async () => {
    expect((await ping()).status).toBe(200);
    await upstash.suspend();
    await expect(ping()).rejects.toThrow();
    await upstash.resume();
    expect(await (await ping()).json()).toEqual({ result: "PONG" });
  });

  it("holds requests unanswered while stalled, drops them on resume and then answers new ones", async () => {
    upstash.stall();
    const held = fetch(upstash.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(["PING"]),
    });
    const outcome = await Promise.race([
      held.then(
        () => "answered",
        () => "failed",
      ),
      new Promise((r) => setTimeout(r, 500, "waiting")),
    ]);
    expect(outcome).toBe("waiting");
    await upstash.resume();
    await expect(held).rejects.toThrow();
    expect((await ping()).status).toBe(200);
  });
});
