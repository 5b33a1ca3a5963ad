// Local stand-in for Neon's HTTP query endpoint: POST /sql as neon() speaks it, served from a bounded pg.Pool.
import { createServer } from "node:http";
import { connect } from "node:net";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { listenOn, stopListening } from "./server.mjs";

/** Neon's proxy refuses request bodies over 10 MiB; so do we. */
const MAX_BODY_BYTES = 10 << 20;

/** Neon-Batch-Isolation-Level values (the driver's `isolationLevel` option) and what BEGIN says for each. */
const ISOLATION = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** Postgres error fields the driver copies onto its NeonDbError (index.mjs, `hi`), besides `message`. */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
];

/** Every value as Postgres' text: the driver parses it by the field's dataTypeID. */
const RAW_TEXT = { getTypeParser: () => (/** @type {string} */ value) => value };

/**
 * Without Neon-Raw-Text-Output, Neon answers JSON values for the types JSON can carry; the rest stays text.
 * Floats are left out (NaN and Infinity are not JSON).
 */
const JSON_TYPES = new Set([16, 21, 23, 114, 3802, 1000, 1005, 1007, 199, 3807]);
const JSON_OUTPUT = {
  getTypeParser: (/** @type {number} */ oid) =>
    JSON_TYPES.has(oid) ? pg.types.getTypeParser(oid, "text") : (/** @type {string} */ value) => value,
};

/** An error the bridge answers itself, with Neon's status and an optional SQLSTATE. */
class BridgeError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {string} [code]
   */
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {object} SqlHttpStats
 * @property {number} requests POSTs to /sql received
 * @property {number} errors answers other than 200
 * @property {number} aborted requests whose client hung up before the answer
 * @property {number} total Postgres connections the pool holds
 * @property {number} active connections checked out
 * @property {number} idle connections waiting in the pool
 * @property {number} waiting requests queued for a connection
 * @property {number} peak most connections the pool ever held at once
 */

/**
 * @typedef {object} SqlHttpBridge
 * @property {number} port actual bound port
 * @property {string} url the endpoint for neonConfig.fetchEndpoint, e.g. http://127.0.0.1:5481/sql
 * @property {() => SqlHttpStats} stats counters for tests and /health
 * @property {() => Promise<void>} suspend fault injection: stops listening and cuts open HTTP connections
 * @property {() => Promise<void>} resume listens again on the same port after suspend()
 * @property {() => Promise<void>} close stops the server and ends the pool
 */

/**
 * @param {{ databaseUrl: string, port?: number, host?: string, poolMax?: number, applicationName?: string,
 *   queueTimeoutMs?: number }} options
 *   databaseUrl: the one database clients may name in Neon-Connection-String (user, host, port and database must
 *   match; the pool connects with it). poolMax: the Postgres connection budget, however many callers are busy;
 *   requests beyond it wait in line, for at most queueTimeoutMs.
 * @returns {Promise<SqlHttpBridge>}
 */
export async function startSqlHttpBridge({
  databaseUrl,
  port = 0,
  host = "127.0.0.1",
  poolMax = 10,
  applicationName = "kormo-sql-http-bridge",
  queueTimeoutMs = 30_000,
}) {
  const target = identity(databaseUrl);
  if (!target) throw new Error(`sql-http-bridge: not a postgres:// URL: ${databaseUrl}`);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: queueTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // No `SET jit = off` here: as on Neon's pooler, the database's own setting (migration 0015) applies to every
  // new session, so locally the app depends on exactly what production depends on.
  pool.on("connect", (client) => {
    // A checked-out client has no pool listener: a backend terminated mid-statement (pg_terminate_backend, a
    // restart) would otherwise throw from the socket's handler and take the whole process down. The statement in
    // flight still rejects, and the request answers its error.
    client.on("error", () => {});
  });
  pool.on("error", () => {}); // an idle connection that dies is dropped by the pool; nothing to tell anyone

  const counters = { requests: 0, errors: 0, aborted: 0, peak: 0 };
  const stats = () => ({
    ...counters,
    max: poolMax,
    total: pool.totalCount,
    active: pool.totalCount - pool.idleCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  });

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://bridge");
    if (req.method === "GET" && pathname === "/health") return json(res, 200, { ok: true, ...stats() });
    if (pathname !== "/sql") return json(res, 404, { message: "not found" });
    if (req.method !== "POST") return json(res, 405, { message: "method not allowed" }, { allow: "POST" });
    counters.requests++;
    serve(req, res).catch((err) => {
      counters.errors++;
      if (!res.headersSent && !res.destroyed) json(res, ...errorAnswer(err));
    });
  });

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function serve(req, res) {
    // The request body is fully read before we answer, so 'close' on the response is the client hanging up.
    const gone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) {
        counters.aborted++;
        gone.abort();
      }
    });
    const conn = identity(header(req, "neon-connection-string") ?? "");
    if (!conn) throw new BridgeError(400, "missing or invalid Neon-Connection-String header");
    if (conn !== target) throw new BridgeError(403, "connection string does not name this bridge's database");
    const opts = requestOptions(req);
    const payload = parsePayload(await readBody(req));

    const client = await checkout(pool, gone.signal, queueTimeoutMs);
    counters.peak = Math.max(counters.peak, pool.totalCount);
    let broken = false;
    try {
      const run = (/** @type {{ query: string, params: unknown[] }} */ q) =>
        cancellable(client, gone.signal, () => execute(client, q, opts));
      let answer;
      if (payload.batch) {
        await client.query(begin(opts));
        try {
          const results = [];
          for (const q of payload.queries) results.push(await run(q));
          await client.query("COMMIT");
          answer = { results };
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw err;
        }
      } else {
        answer = await run(payload.queries[0]);
      }
      json(res, 200, answer);
    } catch (err) {
      // No SQLSTATE: the socket failed, not the statement. A cancel we sent could also land late on whoever
      // uses this connection next, so a connection whose request was abandoned is not reused either.
      if (!(err instanceof pg.DatabaseError)) broken = true;
      throw err;
    } finally {
      // A statement like BEGIN in a single query would leak its open transaction into the next request.
      if (client.getTransactionStatus() !== "I" || gone.signal.aborted) broken = true;
      client.release(broken);
    }
  }

  /** @param {number} at */
  const listen = (at) => listenOn(server, at, host);
  await listen(port);
  const bound = /** @type {import("node:net").AddressInfo} */ (server.address()).port;

  return {
    port: bound,
    url: `http://${host}:${bound}/sql`,
    stats,
    async suspend() {
      const closed = stopListening(server);
      server.closeAllConnections();
      await closed;
    },
    async resume() {
      if (!server.listening) await listen(bound);
    },
    async close() {
      const closed = stopListening(server);
      server.closeAllConnections();
      await closed;
      await pool.end();
    },
  };
}

/**
 * The parts of a connection string that name a database; the password is not checked (trust auth locally).
 * @param {string} url
 */
function identity(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") return null;
  const db = decodeURIComponent(u.pathname.slice(1));
  const user = decodeURIComponent(u.username);
  if (!db || !user || !u.hostname) return null;
  return `${user}@${u.hostname}:${u.port || "5432"}/${db}`;
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {string} name
 */
function header(req, name) {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The Neon-* request headers, validated as Neon's proxy does: unknown values are a 400.
 * @param {import("node:http").IncomingMessage} req
 */
function requestOptions(req) {
  const flag = (/** @type {string} */ name) => {
    const v = header(req, name);
    if (v === undefined || v === "") return undefined;
    if (v !== "true" && v !== "false") throw new BridgeError(400, `invalid ${name} header: ${v}`);
    return v === "true";
  };
  const isolation = header(req, "neon-batch-isolation-level") || undefined;
  if (isolation !== undefined && !Object.hasOwn(ISOLATION, isolation))
    throw new BridgeError(400, `invalid Neon-Batch-Isolation-Level header: ${isolation}`);
  return {
    rawText: flag("neon-raw-text-output") ?? false,
    arrayMode: flag("neon-array-mode") ?? false,
    isolation: /** @type {keyof typeof ISOLATION | undefined} */ (isolation),
    readOnly: flag("neon-batch-read-only"),
    deferrable: flag("neon-batch-deferrable"),
  };
}

/** @param {ReturnType<typeof requestOptions>} opts */
function begin({ isolation, readOnly, deferrable }) {
  const modes = [
    isolation && `ISOLATION LEVEL ${ISOLATION[isolation]}`,
    readOnly === undefined ? "" : readOnly ? "READ ONLY" : "READ WRITE",
    deferrable === undefined ? "" : deferrable ? "DEFERRABLE" : "NOT DEFERRABLE",
  ].filter(Boolean);
  return `BEGIN ${modes.join(", ")}`.trim();
}

/**
 * `{query, params}` (one statement) or `{queries: [{query, params}, …]}` (one transaction).
 * @param {string} body
 * @returns {{ batch: boolean, queries: { query: string, params: unknown[] }[] }}
 */
function parsePayload(body) {
  let payload;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new BridgeError(400, "request body is not JSON");
  }
  const batch = Array.isArray(payload?.queries);
  const queries = batch ? payload.queries : [payload];
  for (const q of queries) {
    if (typeof q?.query !== "string") throw new BridgeError(400, "each query needs a string `query`");
    if (q.params === undefined) q.params = [];
    if (!Array.isArray(q.params)) throw new BridgeError(400, "`params` must be an array");
  }
  return { batch, queries };
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<string>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BridgeError(413, "request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

/**
 * A pooled connection, or a 53300 (what Postgres says when out of connections) once the wait runs past the limit.
 * @param {pg.Pool} pool
 * @param {AbortSignal} signal
 * @param {number} queueTimeoutMs
 */
async function checkout(pool, signal, queueTimeoutMs) {
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    if (/timeout exceeded/i.test(String(err)))
      throw new BridgeError(400, `no connection free within ${queueTimeoutMs} ms (timeout exceeded)`, "53300");
    throw err;
  }
  // The caller hung up while queued: give the connection straight back.
  if (signal.aborted) {
    client.release();
    throw new BridgeError(499, "client closed request");
  }
  return client;
}

/**
 * Runs one statement; when the HTTP client hangs up meanwhile, asks Postgres to cancel it (a CancelRequest opens no
 * backend, so it costs nothing of the connection budget).
 * @template T
 * @param {pg.PoolClient} client
 * @param {AbortSignal} signal
 * @param {() => Promise<T>} fn
 */
async function cancellable(client, signal, fn) {
  if (signal.aborted) throw new BridgeError(499, "client closed request");
  const onAbort = () => sendCancel(client);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await fn();
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** @param {pg.PoolClient} client */
function sendCancel(client) {
  const { processID, secretKey, host, port } = /** @type {pg.PoolClient & { processID: number, secretKey: number }} */ (
    client
  );
  const msg = Buffer.alloc(16);
  msg.writeInt32BE(16, 0);
  msg.writeInt32BE(80877102, 4); // CancelRequest code
  msg.writeInt32BE(processID, 8);
  msg.writeInt32BE(secretKey, 12);
  const sock = connect({ host, port }, () => sock.end(msg));
  sock.on("error", () => {});
  sock.setTimeout(5_000, () => sock.destroy());
}

/**
 * One statement in Neon's answer shape. Always the extended protocol, as Neon's proxy: several statements in one
 * query are refused by Postgres (42601) rather than run.
 * @param {pg.PoolClient} client
 * @param {{ query: string, params: unknown[] }} q
 * @param {ReturnType<typeof requestOptions>} opts
 */
async function execute(client, { query, params }, { rawText, arrayMode }) {
  const result = await client.query({
    text: query,
    // The driver sends strings and nulls (Dates, arrays, JSON and bytea already in Postgres' text forms); other
    // JSON values are turned into text by pg exactly as the driver would have.
    values: params,
    rowMode: "array",
    types: rawText ? RAW_TEXT : JSON_OUTPUT,
    queryMode: "extended",
  });
  const fields = result.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: "text",
  }));
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i]])));
  return { command: result.command, rowCount: result.rowCount, fields, rows, rowAsArray: arrayMode };
}

/**
 * Postgres errors are a 400 whose body carries the error's fields, which the driver copies onto its NeonDbError so
 * the app keeps the SQLSTATE. A lost or refused Postgres connection is also a 400, with a connection-class SQLSTATE
 * (08001, 08006), so the app tells "database down" from "bad request" the same way on both paths.
 * @param {unknown} err
 * @returns {[number, Record<string, unknown>]}
 */
function errorAnswer(err) {
  if (err instanceof BridgeError)
    return [err.status, { message: err.message, ...(err.code ? { code: err.code } : {}) }];
  if (err instanceof pg.DatabaseError) {
    /** @type {Record<string, unknown>} */
    const body = { message: err.message };
    const fields = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (err));
    for (const k of ERROR_FIELDS) if (fields[k] !== undefined) body[k] = fields[k];
    return [400, body];
  }
  const message = err instanceof Error ? err.message : String(err);
  const refused = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(message);
  return [
    400,
    { message: `connection ${refused ? "refused" : "lost"}: ${message}`, code: refused ? "08001" : "08006" },
  ];
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function json(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bridge = await startSqlHttpBridge({
    databaseUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/kormo",
    port: Number(process.env.SQL_HTTP_BRIDGE_PORT ?? 5481),
    poolMax: Number(process.env.SQL_HTTP_POOL_MAX ?? 10),
  });
  console.log(JSON.stringify({ bridge: "sql-http", port: bridge.port }));
  const stop = () => bridge.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
