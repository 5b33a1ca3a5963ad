// The sql-http bridge through the real driver: neon() with fetchEndpoint pointed at it, a scratch database with
// PostGIS and an exclusion constraint, and pg_stat_activity as the witness of the connection budget.
import { neon, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSqlHttpBridge } from "../../bridges/sql-http-bridge.mjs";
import { waitFor } from "./helpers.mjs";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const DB = `kormo_sqlhttp_test_${process.pid}`;
const DB_URL = `postgres://postgres@127.0.0.1:5432/${DB}`;
// The same database by another host name: a second bridge the driver tells apart by the host it is handed.
const BUDGET_URL = `postgres://postgres@localhost:5432/${DB}`;
const APP = `kormo-sqlhttp-test-${process.pid}`;
const BUDGET_APP = `${APP}-budget`;
const POOL_MAX = 3;

/** @type {Awaited<ReturnType<typeof startSqlHttpBridge>>} */
let bridge;
/** @type {Awaited<ReturnType<typeof startSqlHttpBridge>>} */
let budget;
/** @type {pg.Client} */
let admin;

const sql = neon(DB_URL);

/** @param {string} text */
async function adminQuery(text, params = []) {
  return (await admin.query(text, params)).rows;
}

/** What a caller sees of a failed promise. */
async function failure(/** @type {Promise<unknown>} */ p) {
  try {
    await p;
  } catch (err) {
    return /** @type {Record<string, unknown> & Error} */ (err);
  }
  throw new Error("expected a failure");
}

beforeAll(async () => {
  const setup = new pg.Client({ connectionString: ADMIN_URL });
  await setup.connect();
  await setup.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await setup.query(`CREATE DATABASE "${DB}"`);
  await setup.end();
  admin = new pg.Client({ connectionString: DB_URL });
  await admin.connect();
  await admin.query(`
    CREATE EXTENSION IF NOT EXISTS postgis;
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    CREATE TABLE phones (id serial PRIMARY KEY, phone text NOT NULL CONSTRAINT phones_phone_key UNIQUE);
    CREATE TABLE slots (
      provider int NOT NULL,
      during tstzrange NOT NULL,
      CONSTRAINT slots_no_overlap EXCLUDE USING gist (provider WITH =, during WITH &&)
    );
    CREATE TABLE places (id int PRIMARY KEY, at geography(Point, 4326) NOT NULL);
    INSERT INTO places VALUES (1, ST_SetSRID(ST_MakePoint(90.4125, 23.8103), 4326)::geography);
  `);
  bridge = await startSqlHttpBridge({ databaseUrl: DB_URL, applicationName: APP });
  budget = await startSqlHttpBridge({ databaseUrl: BUDGET_URL, applicationName: BUDGET_APP, poolMax: POOL_MAX });
  // The function form: the driver hands over the host and port of the connection string it is about to use.
  neonConfig.fetchEndpoint = (host) => (host === "localhost" ? budget.url : bridge.url);
}, 60_000);

afterAll(async () => {
  await bridge?.close();
  await budget?.close();
  await admin?.end();
  const teardown = new pg.Client({ connectionString: ADMIN_URL });
  await teardown.connect();
  await teardown.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).finally(() => teardown.end());
});

describe("sql-http bridge: values", () => {
  it("answers each column as Postgres text with its dataTypeID, which the driver parses into JS values", async () => {
    const [row] = await sql`
      SELECT 7::int2 AS small, 42::int4 AS int, 9007199254740993::int8 AS big, 12.50::numeric(6, 2) AS num,
             1.5::float8 AS float, true AS yes, 'বাংলা'::text AS text, NULL::text AS nothing,
             '2026-03-01 10:00:00+06'::timestamptz AS at, '{"a": [1, 2]}'::json AS js, '{"b": null}'::jsonb AS jsb,
             ARRAY[1, 2, 3]::int[] AS ints, ARRAY['x', NULL, 'y,z']::text[] AS texts, '\\x6869'::bytea AS bytes,
             '2026-03-01'::date AS day`;
    expect(row).toEqual({
      small: 7,
      int: 42,
      big: "9007199254740993",
      num: "12.50",
      float: 1.5,
      yes: true,
      text: "বাংলা",
      nothing: null,
      at: new Date("2026-03-01T04:00:00Z"),
      js: { a: [1, 2] },
      jsb: { b: null },
      ints: [1, 2, 3],
      texts: ["x", null, "y,z"],
      bytes: Buffer.from("hi"),
      day: expect.any(Date),
    });
  });

  it("hands PostGIS geography over as text: WKT from ST_AsText, hex EWKB for the bare column", async () => {
    const [row] = await sql`SELECT ST_AsText(at) AS wkt, at, ST_SRID(at::geometry) AS srid FROM places WHERE id = 1`;
    expect(row.wkt).toBe("POINT(90.4125 23.8103)");
    expect(row.at).toMatch(/^0101000020E6100000[0-9A-F]{32}$/);
    expect(row.srid).toBe(4326);
  });

  it("takes parameters as the driver serializes them: numbers, booleans, nulls, Dates, arrays, JSON and bytea", async () => {
    const at = new Date("2026-05-05T05:05:05.123Z");
    const [row] = await sql`
      SELECT ${41}::int + 1 AS n, ${"12345678901234567890"}::numeric AS big, NOT ${false}::bool AS yes,
             ${null}::text IS NULL AS is_null, ${at}::timestamptz AS at, ${[3, 1, 2]}::int[] AS ints,
             ${["a b", 'q"uote', null]}::text[] AS texts, ${{ k: ["v", 1] }}::jsonb -> 'k' AS js,
             ${Buffer.from([0, 255, 16])}::bytea AS bytes, ${"Dhaka, ঢাকা"} AS text`;
    expect(row).toEqual({
      n: 42,
      big: "12345678901234567890",
      yes: true,
      is_null: true,
      at,
      ints: [3, 1, 2],
      texts: ["a b", 'q"uote', null],
      js: ["v", 1],
      bytes: Buffer.from([0, 255, 16]),
      text: "Dhaka, ঢাকা",
    });
  });

  it("answers fullResults with command, rowCount and fields, and arrayMode with rows as arrays", async () => {
    const full = await sql.query("SELECT 1::int AS a, 'x' AS a", [], { fullResults: true, arrayMode: true });
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.rows).toEqual([[1, "x"]]);
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["a", 23],
      ["a", 25],
    ]);
    const insert = await sql.query(
      "INSERT INTO phones (phone) VALUES ($1), ($2)",
      ["+8801700000001", "+8801700000002"],
      {
        fullResults: true,
      },
    );
    expect(insert).toMatchObject({ command: "INSERT", rowCount: 2, rows: [] });
  });

  // jit is the database's setting (migration 0015), not the bridge's: durable-objects/pg-reader/http-reads.test.ts.
  it("runs each statement on the pool's own application_name", async () => {
    const [row] = await sql`SELECT current_setting('application_name') AS app`;
    expect(row).toEqual({ app: APP });
  });
});

describe("sql-http bridge: errors", () => {
  it("keeps a unique violation's SQLSTATE and fields on the driver's NeonDbError", async () => {
    await sql`INSERT INTO phones (phone) VALUES ('+8801711111111')`;
    const err = await failure(sql`INSERT INTO phones (phone) VALUES ('+8801711111111')`);
    expect(err.name).toBe("NeonDbError");
    expect(err).toMatchObject({
      code: "23505",
      severity: "ERROR",
      constraint: "phones_phone_key",
      table: "phones",
      schema: "public",
      detail: "Key (phone)=(+8801711111111) already exists.",
      routine: expect.any(String),
      file: expect.any(String),
      line: expect.any(String),
    });
    expect(err.message).toMatch(/duplicate key value violates unique constraint "phones_phone_key"/);
  });

  it("keeps an exclusion violation (23P01) with its constraint name", async () => {
    const during = "[2026-06-01 10:00+06, 2026-06-01 12:00+06)";
    await sql`INSERT INTO slots VALUES (1, ${during})`;
    const err = await failure(sql`INSERT INTO slots VALUES (1, '[2026-06-01 11:00+06, 2026-06-01 13:00+06)')`);
    expect(err).toMatchObject({ code: "23P01", constraint: "slots_no_overlap", table: "slots" });
  });

  it("keeps 22P02 for bad input text, and 42601 with its position for a syntax error", async () => {
    expect(await failure(sql`SELECT ${"not a number"}::int`)).toMatchObject({ code: "22P02" });
    const syntax = await failure(sql.query("SELECT FROM WHERE"));
    expect(syntax).toMatchObject({ code: "42601", position: "13" });
  });

  it("refuses several statements in one query, as Neon's extended-protocol proxy does", async () => {
    expect(await failure(sql.query("SELECT 1; SELECT 2"))).toMatchObject({ code: "42601" });
  });
});

describe("sql-http bridge: transactions", () => {
  it("commits every statement of a transaction together", async () => {
    const [a, b] = await sql.transaction([
      sql`INSERT INTO phones (phone) VALUES ('+8801722222221') RETURNING phone`,
      sql`SELECT count(*)::int AS n FROM phones WHERE phone LIKE '+88017222222%'`,
    ]);
    expect(a).toEqual([{ phone: "+8801722222221" }]);
    expect(b).toEqual([{ n: 1 }]);
  });

  it("rolls the whole transaction back when one statement fails, and answers that statement's error", async () => {
    const err = await failure(
      sql.transaction([
        sql`INSERT INTO phones (phone) VALUES ('+8801733333331')`,
        sql`INSERT INTO phones (phone) VALUES ('+8801733333331')`,
      ]),
    );
    expect(err).toMatchObject({ code: "23505" });
    expect(await adminQuery("SELECT 1 FROM phones WHERE phone = '+8801733333331'")).toEqual([]);
  });

  it("applies the isolation level, read-only and deferrable options to the transaction", async () => {
    const [[mode]] = await sql.transaction(
      [
        sql`SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro,
                 current_setting('transaction_deferrable') AS def`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(mode).toEqual({ iso: "serializable", ro: "on", def: "on" });
    const [[plain]] = await sql.transaction([sql`SELECT current_setting('transaction_isolation') AS iso`], {
      isolationLevel: "RepeatableRead",
    });
    expect(plain).toEqual({ iso: "repeatable read" });
  });

  it("refuses a write in a read-only transaction with 25006", async () => {
    const err = await failure(
      sql.transaction([sql`INSERT INTO phones (phone) VALUES ('+8801744444441')`], { readOnly: true }),
    );
    expect(err).toMatchObject({ code: "25006" });
  });

  it("answers per-query arrayMode and fullResults inside a transaction", async () => {
    const [rows, full] = await sql.transaction([
      sql.query("SELECT 1::int AS one", [], { arrayMode: true }),
      sql.query("SELECT 2::int AS two", [], { fullResults: true }),
    ]);
    expect(rows).toEqual([[1]]);
    expect(full).toMatchObject({ command: "SELECT", rowCount: 1, rows: [{ two: 2 }] });
  });
});

describe("sql-http bridge: what it refuses", () => {
  it("refuses a connection string naming another database or user with 403", async () => {
    const other = neon("postgres://postgres@127.0.0.1:5432/postgres");
    const err = await failure(other`SELECT 1`);
    expect(err.message).toMatch(/HTTP status 403/);
    const stranger = neon(`postgres://mallory@127.0.0.1:5432/${DB}`);
    expect((await failure(stranger`SELECT 1`)).message).toMatch(/HTTP status 403/);
  });

  it("answers malformed requests with 400 and Neon's messages, and only POST on /sql", async () => {
    const post = (/** @type {Record<string, string>} */ headers, body = '{"query":"SELECT 1","params":[]}') =>
      fetch(bridge.url, { method: "POST", headers: { "neon-connection-string": DB_URL, ...headers }, body });
    const badLevel = await post({ "neon-batch-isolation-level": "Chaos" }, '{"queries":[]}');
    expect(badLevel.status).toBe(400);
    expect(await badLevel.json()).toEqual({ message: expect.stringMatching(/Isolation-Level/) });
    expect((await post({}, "not json")).status).toBe(400);
    expect((await post({}, '{"query":1}')).status).toBe(400);
    expect((await fetch(bridge.url)).status).toBe(405);
    const health = await fetch(bridge.url.replace("/sql", "/health"));
    expect(await health.json()).toMatchObject({ ok: true, requests: expect.any(Number), waiting: 0 });
  });

  it("answers without Neon-Raw-Text-Output and Neon-Array-Mode with rows as objects of JSON values", async () => {
    const res = await fetch(bridge.url, {
      method: "POST",
      headers: { "neon-connection-string": DB_URL },
      body: JSON.stringify({
        query: "SELECT 1::int AS n, true AS b, '{\"x\":1}'::jsonb AS j, 2::int8 AS big",
        params: [],
      }),
    });
    expect((await res.json()).rows).toEqual([{ n: 1, b: true, j: { x: 1 }, big: "2" }]);
  });
  it("answers an unreachable Postgres as a 400 with a connection-class SQLSTATE (08001), so callers can tell it from a bad statement", async () => {
    const deadUrl = "postgres://postgres@127.0.0.1:1/nowhere";
    const dead = await startSqlHttpBridge({ databaseUrl: deadUrl });
    try {
      const res = await fetch(dead.url, {
        method: "POST",
        headers: { "neon-connection-string": deadUrl },
        body: JSON.stringify({ query: "SELECT 1", params: [] }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "08001", message: expect.stringMatching(/refused/) });
    } finally {
      await dead.close();
    }
  });
});

describe("sql-http bridge: the connection budget", () => {
  it("never opens more than poolMax connections under 50 concurrent queries; the rest wait their turn", async () => {
    const sqlBudget = neon(BUDGET_URL);
    let peak = 0;
    let queued = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const [{ n }] = await adminQuery(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
          [BUDGET_APP],
        );
        peak = Math.max(peak, n);
        queued = Math.max(queued, budget.stats().waiting);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sqlBudget`SELECT ${i}::int AS i, pg_sleep(0.02) IS NULL AS slept`),
    );
    done = true;
    await watch;
    expect(answers.map(([r]) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(POOL_MAX);
    expect(budget.stats().peak).toBe(POOL_MAX);
    expect(queued).toBeGreaterThan(0);
  });

  it("survives a client that hangs up mid-query: the statement is cancelled and its connection replaced", async () => {
    const sqlBudget = neon(BUDGET_URL);
    const before = budget.stats().aborted;
    const hangUp = new AbortController();
    const pending = failure(sqlBudget.query("SELECT pg_sleep(30)", [], { fetchOptions: { signal: hangUp.signal } }));
    const sleeping = () =>
      adminQuery(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query = 'SELECT pg_sleep(30)' AND state = 'active'",
        [BUDGET_APP],
      );
    await waitFor(async () => (await sleeping()).length === 1);
    hangUp.abort();
    expect((await pending).message).toMatch(/abort/i);
    await waitFor(async () => (await sleeping()).length === 0);
    expect(budget.stats().aborted).toBe(before + 1);
    await waitFor(() => budget.stats().active === 0);
    expect(await sqlBudget`SELECT 'still here' AS answer`).toEqual([{ answer: "still here" }]);
  });

  it("does not hand a transaction left open by a single query to the next request", async () => {
    await sql.query("BEGIN");
    await sql`INSERT INTO phones (phone) VALUES ('+8801755555551')`;
    // Had the INSERT run inside the left-open transaction, no other session would see it.
    expect(await adminQuery("SELECT phone FROM phones WHERE phone = '+8801755555551'")).toEqual([
      { phone: "+8801755555551" },
    ]);
  });
});
