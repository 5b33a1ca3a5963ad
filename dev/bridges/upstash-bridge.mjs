// Local stand-in for Upstash's Redis REST API: translates JSON-over-HTTP commands to RESP on a real Redis.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
// Default import: ioredis is CommonJS, and Vite's module runner (vitest globalSetup) only sees its default export.
import IORedis from "ioredis";
import { listenOn, stopListening } from "./server.mjs";

const { Redis, ReplyError } = IORedis;

const BODY_LIMIT = 1 << 20;
/** How long a request waits for a (re)connecting Redis before answering 503. */
const READY_WAIT_MS = 1_000;
/**
 * Commands that would wedge or repurpose the one shared connection (subscriber mode, blocking pops,
 * db switching). Upstash serves these differently or not at all; the app does not use them.
 */
const REFUSED = new Set(
  (
    "SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE MONITOR QUIT RESET SELECT HELLO AUTH " +
    "BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT WAITAOF"
  ).split(" "),
);
/**
 * Upstash-only Lua shebang flags that stock Redis rejects ("Unexpected flag in script shebang").
 * @upstash/ratelimit >= 2.2 prefixes every script with `#!lua flags=allow-key-locking`.
 */
const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @typedef {object} UpstashBridge
 * @property {number} port actual bound port
 * @property {string} url base URL for `new Redis({ url, token })`
 * @property {() => Promise<void>} suspend fault injection: drops open HTTP connections and stops listening, so
 *   requests are refused (as when Upstash is unreachable) until resume()
 * @property {() => void} stall fault injection: keeps accepting requests but answers none (a black-holed
 *   endpoint); resume() then drops the held connections unanswered
 * @property {() => Promise<void>} resume ends suspend() or stall(): listens on the same port and answers again
 * @property {() => Promise<void>} close stops the server and the Redis connection
 */

/**
 * @param {{ port?: number, host?: string, redisUrl?: string, token: string }} options
 * @returns {Promise<UpstashBridge>}
 */
export async function startUpstashBridge({ port = 0, host = "127.0.0.1", redisUrl = "redis://127.0.0.1:6379", token }) {
  if (!token) throw new TypeError("startUpstashBridge: token is required");
  const expectedAuth = sha256(`Bearer ${token}`);

  // RESP2 because Upstash answers with RESP2 shapes (HGETALL as a flat array, scores as strings).
  // No offline queue and a command timeout so a dead Redis becomes a prompt 503, never a hung request.
  // No autopipelining: ioredis 6 drops the command name of callBuffer() on that path.
  const redis = new Redis(redisUrl, {
    protocol: 2,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  /** Set when a connection attempt fails; cleared on 'ready'. Lets requests fail fast while Redis is down. */
  let downSince = 0;
  redis.on("error", () => {
    downSince ||= Date.now();
  });
  redis.on("ready", () => {
    downSince = 0;
  });
  const scripts = new ScriptShaMap();

  async function ensureReady() {
    if (redis.status === "ready") return;
    if (!downSince) {
      // Still on the first connect (or a reconnect that has not failed yet): give it a moment.
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, READY_WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          redis.off("ready", done);
          redis.off("error", done);
          resolve(undefined);
        };
        redis.once("ready", done);
        redis.once("error", done);
      });
    }
    // Re-read: the status may have changed while we waited.
    if (/** @type {string} */ (redis.status) !== "ready") throw new HttpError(503, "Redis unavailable");
  }

  /** @param {unknown[]} command */
  async function run(command) {
    const [name, ...args] = scripts.rewrite(toArgs(command));
    const reply = await redis.callBuffer(name, ...args);
    return scripts.fixReply(name, reply);
  }

  /** @param {import("node:http").IncomingMessage} req */
  async function handle(req) {
    const url = new URL(req.url ?? "/", "http://bridge");
    const auth = req.headers.authorization ?? `Bearer ${url.searchParams.get("_token") ?? ""}`;
    if (!timingSafeEqual(sha256(auth), expectedAuth)) throw new HttpError(401, "Unauthorized");
    if (req.method !== "POST" && req.method !== "GET") throw new HttpError(405, "Method not allowed");

    const body = req.method === "POST" ? await readBody(req) : "";
    const encode = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = url.pathname.replace(/\/+$/, "");

    if (path === "/pipeline" || path === "/multi-exec") {
      const commands = parseJson(body);
      if (!Array.isArray(commands) || commands.length === 0) {
        throw new HttpError(400, "ERR body must be a non-empty array of commands");
      }
      commands.forEach(toArgs); // validate every command before running any
      await ensureReady();
      const settled = path === "/pipeline" ? await runPipeline(commands) : await runMulti(commands);
      return settled.map((r) => (r instanceof Error ? { error: r.message } : { result: toJson(r, encode, true) }));
    }

    const command = path === "" ? parseJson(body) : pathCommand(path, body);
    toArgs(command);
    await ensureReady();
    try {
      return { result: toJson(await run(command), encode, true) };
    } catch (err) {
      throw asHttpError(err);
    }
  }

  /** Not atomic: one command per entry, errors reported in place. @param {unknown[]} commands */
  async function runPipeline(commands) {
    const settled = await Promise.allSettled(commands.map((c) => run(/** @type {unknown[]} */ (c))));
    const results = settled.map((s) => (s.status === "fulfilled" ? s.value : s.reason));
    const broken = results.find((r) => r instanceof Error && !(r instanceof ReplyError));
    if (broken) throw asHttpError(broken);
    return results;
  }

  /** Atomic: ioredis writes MULTI..EXEC in one batch, so no other request can interleave. @param {unknown[]} commands */
  async function runMulti(commands) {
    const tx = redis.multi();
    /** @type {string[]} */
    const names = [];
    for (const command of commands) {
      const [name, ...args] = scripts.rewrite(toArgs(command));
      names.push(name);
      tx.callBuffer(name, ...args);
    }
    /** @type {[Error | null, unknown][] | null} */
    let out;
    try {
      out = await tx.exec();
    } catch (err) {
      // EXECABORT: a command was rejected while queueing; name it, as Redis' own text does not.
      const queued = /** @type {any} */ (err).previousErrors?.map((/** @type {Error} */ e) => e.message) ?? [];
      const e = /** @type {Error} */ (err);
      if (e instanceof ReplyError && queued.length) e.message = `${e.message} ${queued.join("; ")}`;
      throw asHttpError(err);
    }
    if (!out) throw new HttpError(400, "EXECABORT Transaction aborted");
    return out.map(([err, reply], i) => err ?? scripts.fixReply(names[i], reply));
  }

  /** While stalled, requests are parked here unanswered. @type {Set<import("node:http").ServerResponse> | null} */
  let stalled = null;

  const server = createServer((req, res) => {
    if (stalled) {
      stalled.add(res);
      return;
    }
    handle(req).then(
      (payload) => send(res, 200, payload),
      (err) => {
        const { status, message } = asHttpError(err);
        send(res, status, { error: message });
      },
    );
  });

  /** @param {number} at */
  const listen = (at) => listenOn(server, at, host);
  await listen(port);
  const bound = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  const releaseStalled = () => {
    for (const res of stalled ?? []) res.destroy();
    stalled = null;
  };

  return {
    port: bound,
    url: `http://${host}:${bound}`,
    async suspend() {
      const closed = stopListening(server);
      server.closeAllConnections();
      await closed;
    },
    stall() {
      stalled ??= new Set();
    },
    async resume() {
      releaseStalled();
      if (!server.listening) await listen(bound);
    },
    async close() {
      releaseStalled();
      server.closeAllConnections();
      await stopListening(server);
      redis.disconnect();
    },
  };
}

/**
 * Remembers client-side SHA1 -> Redis SHA1 for scripts whose shebang we had to rewrite, so EVALSHA
 * with the hash the client computed (e.g. @upstash/ratelimit's hard-coded hashes) still hits.
 */
class ScriptShaMap {
  /** @type {Map<string, string>} */
  #toRedis = new Map();
  /** @type {Map<string, string>} */
  #toClient = new Map();

  /** @param {string[]} argv @returns {string[]} */
  rewrite(argv) {
    const name = argv[0].toLowerCase();
    const scriptAt =
      name === "eval" || name === "eval_ro" ? 1 : name === "script" && argv[1]?.toLowerCase() === "load" ? 2 : -1;
    if (scriptAt > 0 && argv[scriptAt] !== undefined) {
      const original = argv[scriptAt];
      const fixed = stripUpstashFlags(original);
      if (fixed !== original) {
        const [from, to] = [sha1(original), sha1(fixed)];
        this.#toRedis.set(from, to);
        this.#toClient.set(to, from);
        return argv.with(scriptAt, fixed);
      }
    }
    if ((name === "evalsha" || name === "evalsha_ro") && argv[1] !== undefined) {
      const sha = this.#toRedis.get(argv[1].toLowerCase());
      if (sha) return argv.with(1, sha);
    }
    if (name === "script" && argv[1]?.toLowerCase() === "exists") {
      return argv.map((a, i) => (i > 1 ? (this.#toRedis.get(a.toLowerCase()) ?? a) : a));
    }
    return argv;
  }

  /** SCRIPT LOAD must answer with the hash of the script the client sent. @param {string} name @param {unknown} reply */
  fixReply(name, reply) {
    if (name.toLowerCase() === "script" && Buffer.isBuffer(reply) && reply.length === 40) {
      const client = this.#toClient.get(reply.toString());
      if (client) return Buffer.from(client);
    }
    return reply;
  }
}

/** @param {string} script */
function stripUpstashFlags(script) {
  const m = /^#!(\S+)([^\n]*)/.exec(script);
  if (!m) return script;
  const parts = m[2].trim().split(/\s+/).filter(Boolean);
  const kept = parts
    .map((p) => {
      if (!p.startsWith("flags=")) return p;
      const flags = p
        .slice(6)
        .split(",")
        .filter((f) => f && !UPSTASH_ONLY_FLAGS.has(f));
      return flags.length ? `flags=${flags.join(",")}` : "";
    })
    .filter(Boolean);
  // Keep the line (only its flags change) so Lua error line numbers stay the same.
  return `#!${m[1]}${kept.length ? ` ${kept.join(" ")}` : ""}${script.slice(m[0].length)}`;
}

/**
 * Validate a JSON command and stringify its arguments the way Upstash does.
 * @param {unknown} command
 * @returns {string[]}
 */
function toArgs(command) {
  if (!Array.isArray(command) || command.length === 0) {
    throw new HttpError(400, "ERR command must be a non-empty JSON array");
  }
  const argv = command.map((a) => {
    if (typeof a === "string") return a;
    if (typeof a === "number" || typeof a === "boolean") return String(a);
    throw new HttpError(400, "ERR command arguments must be strings, numbers or booleans");
  });
  // Upper case also sidesteps ioredis' per-command transformers, which are keyed by lower-case
  // name and would reshape raw replies (e.g. "hgetall" into an object).
  argv[0] = argv[0].toUpperCase();
  if (REFUSED.has(argv[0])) {
    throw new HttpError(400, `ERR command '${argv[0]}' is not supported by the dev bridge`);
  }
  return argv;
}

/**
 * RESP reply -> JSON value. With base64, every string is encoded except a top-level "OK":
 * ioredis hands back status replies and bulk strings alike as Buffers, and @upstash/redis
 * only special-cases "OK" at the top level (inside arrays it would base64-decode it).
 * @param {unknown} value
 * @param {boolean} base64
 * @param {boolean} top
 * @returns {unknown}
 */
function toJson(value, base64, top) {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map((v) => toJson(v, base64, false));
  if (value instanceof Error) return value.message; // error nested in an array reply (e.g. Lua)
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
  if (!base64) return buf.toString("utf8");
  if (top && buf.length === 2 && buf.toString() === "OK") return "OK";
  return buf.toString("base64");
}

/** @param {unknown} err */
function asHttpError(err) {
  if (err instanceof HttpError) return err;
  // Reply errors carry Redis' own text (NOSCRIPT ..., ERR ..., WRONGTYPE ...); clients match on it.
  if (err instanceof ReplyError) return new HttpError(400, /** @type {Error} */ (err).message);
  // Anything else is the connection: refused, reset, timed out, or the offline queue is off.
  return new HttpError(503, "Redis unavailable");
}

/** `/set/foo/bar` (+ POST body as last argument) -> ["set", "foo", "bar", body]. @param {string} path @param {string} body */
function pathCommand(path, body) {
  try {
    const argv = path.slice(1).split("/").map(decodeURIComponent);
    return body === "" ? argv : [...argv, body];
  } catch {
    throw new HttpError(400, "ERR malformed URL path");
  }
}

/** @param {string} text */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "ERR malformed JSON body");
  }
}

/** @param {import("node:http").IncomingMessage} req @returns {Promise<string>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      // Stop buffering but keep the stream flowing: Node discards the rest once we have answered,
      // and the keep-alive connection survives (destroying it would lose the 413).
      req.removeAllListeners("data");
      req.resume();
      reject(new HttpError(413, "ERR request body too large"));
    };
    if (Number(req.headers["content-length"] ?? 0) > BODY_LIMIT) return tooLarge();
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) return tooLarge();
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** @param {import("node:http").ServerResponse} res @param {number} status @param {unknown} payload */
function send(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

/** @param {string} s */
function sha256(s) {
  return createHash("sha256").update(s).digest();
}

/** @param {string} s */
function sha1(s) {
  return createHash("sha1").update(s, "utf8").digest("hex");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bridge = await startUpstashBridge({
    port: Number(process.env.UPSTASH_BRIDGE_PORT ?? 8079),
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    token: process.env.UPSTASH_BRIDGE_TOKEN ?? "kormo-dev-token",
  });
  console.log(JSON.stringify({ bridge: "upstash", port: bridge.port }));
  const stop = () => bridge.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
