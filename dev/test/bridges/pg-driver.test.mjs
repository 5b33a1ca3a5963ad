// platform/pg's pool and long-lived connection over the ws bridge, with the socket cut under them: every failure
// reaches the caller as an Error the 503 mapping recognizes, nothing is thrown from a socket event, and the next
// statement reconnects.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PgConnection } from "../../../platform/pg/connection.ts";
import { createClient, createPool } from "../../../platform/pg/driver.ts";
import { isDependencyFailure } from "../../../platform/pg/errors.ts";
import { withTransaction } from "../../../platform/pg/transaction.ts";
import { startWsBridge } from "../../bridges/ws-bridge.mjs";
import { waitFor } from "./helpers.mjs";

const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** @type {Awaited<ReturnType<typeof startWsBridge>>} */
let ws;
/** @type {unknown[]} */
const uncaught = [];
const onUncaught = (/** @type {unknown} */ err) => uncaught.push(err);

beforeAll(async () => {
  ws = await startWsBridge({ allow: ["127.0.0.1:5432"] });
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
});

afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
  await ws?.close();
});

afterEach(async () => {
  await ws.resume();
  // Events from a cut socket arrive a tick or two after the statement failed.
  await new Promise((r) => setTimeout(r, 100));
  expect(uncaught.map(String)).toEqual([]);
  uncaught.length = 0;
});

const cfg = () => ({ DATABASE_URL, NEON_WS_PROXY: `127.0.0.1:${ws.port}/v1` });

/** What a caller sees of a failed promise. */
async function failure(/** @type {Promise<unknown>} */ p) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("platform/pg when the socket is cut", () => {
  it("fails a transaction whose socket is cut mid-statement with a dependency failure, and the pool reconnects", async () => {
    const pool = createPool(cfg(), { max: 2 });
    try {
      const tx = withTransaction(pool, (c) => c.query("SELECT pg_sleep(5)"));
      await waitFor(() => ws.inFlight() > 0);
      ws.dropConnections();
      const err = await failure(tx);
      expect(err).toBeInstanceOf(Error);
      expect(isDependencyFailure(err)).toBe(true);
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it("raises nothing when the socket of a client checked out of the pool is cut between statements", async () => {
    const pool = createPool(cfg(), { max: 2 });
    try {
      const err = await failure(
        withTransaction(pool, async (c) => {
          await c.query("SELECT 1");
          ws.dropConnections();
          await new Promise((r) => setTimeout(r, 100));
          await c.query("SELECT 2");
        }),
      );
      expect(isDependencyFailure(err)).toBe(true);
      expect((await pool.query("SELECT 3 AS three")).rows).toEqual([{ three: 3 }]);
    } finally {
      await pool.end();
    }
  });

  it("rejects a pool's connect with an Error, never a bare socket event, while the bridge refuses connections", async () => {
    const pool = createPool(cfg(), { max: 2 });
    try {
      await ws.suspend();
      const err = await failure(pool.query("SELECT 1"));
      expect(err).toBeInstanceOf(Error);
      expect(isDependencyFailure(err)).toBe(true);
      await ws.resume();
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it("fails the statement in flight on a long-lived connection, raises nothing for the dead socket, and reconnects", async () => {
    const pg = new PgConnection(cfg(), { idleMs: 5_000 });
    try {
      expect((await pg.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      const slow = pg.query("SELECT pg_sleep(5)");
      await waitFor(() => ws.inFlight() > 0);
      ws.dropConnections();
      const err = await failure(slow);
      expect(err).toBeInstanceOf(Error);
      expect(isDependencyFailure(err)).toBe(true);
      expect(pg.connected).toBe(false);
      expect((await pg.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
    } finally {
      await pg.close();
    }
  });

  it("rejects a long-lived connection's statement with an Error while the bridge refuses connections", async () => {
    const pg = new PgConnection(cfg(), { idleMs: 5_000 });
    try {
      await ws.suspend();
      const err = await failure(pg.query("SELECT 1"));
      expect(err).toBeInstanceOf(Error);
      expect(isDependencyFailure(err)).toBe(true);
      await ws.resume();
      expect((await pg.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pg.close();
    }
  });

  it("gives every client it creates an error listener, so a dropped idle socket is never thrown", async () => {
    const client = createClient(cfg());
    await client.connect();
    ws.dropConnections();
    await new Promise((r) => setTimeout(r, 100));
    // The dead client says so to whoever uses it next (no hang, no throw from the socket's events).
    const err = await failure(client.query("SELECT 1"));
    expect(err).toBeInstanceOf(Error);
  });
});
