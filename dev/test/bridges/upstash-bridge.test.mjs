// The Upstash REST bridge serves the real @upstash/redis and @upstash/ratelimit clients from local Redis.
import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis as UpstashRedis } from "@upstash/redis";
import ioredis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashBridge } from "../../bridges/upstash-bridge.mjs";
import { uniquePrefix } from "./helpers.mjs";

const TOKEN = "test-token-upstash-bridge";
// Same Redis database as the repo's test setup (db 15), never the dev data in db 0.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15";
const P = uniquePrefix("upstash");
const BANGLA = "কর্ম মেলা";
/** Characters that are awkward in JSON and base64 paths: NUL, control, Latin-1, emoji, quotes. */
const AWKWARD = 'nul\u0000 ctl\u0001\u001f latin\u00ff emoji🚀 quote" back\\slash';

/** @type {Awaited<ReturnType<typeof startUpstashBridge>>} */
let bridge;
/** Direct Redis connection, used only to verify state and to clean up our keys. */
const direct = new ioredis.Redis(REDIS_URL, { lazyConnect: true });
/** Single-command client: every call is its own POST /. */
let redis;
/** Default client: auto-pipelining batches calls into POST /pipeline. */
let autoRedis;

beforeAll(async () => {
  bridge = await startUpstashBridge({ token: TOKEN, redisUrl: REDIS_URL });
  await direct.connect();
  redis = new UpstashRedis({ url: bridge.url, token: TOKEN, enableAutoPipelining: false });
  autoRedis = new UpstashRedis({ url: bridge.url, token: TOKEN });
});

afterAll(async () => {
  const keys = [];
  let cursor = "0";
  do {
    const [next, batch] = await direct.scan(cursor, "MATCH", `${P}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  if (keys.length) await direct.del(...keys);
  direct.disconnect();
  await bridge?.close();
});

/**
 * POST a raw REST call to the bridge.
 * @param {string} path
 * @param {unknown} body JSON-encoded unless already a string
 * @param {{ base64?: boolean, token?: string | null }} [opts]
 */
async function post(path, body, { base64 = false, token = TOKEN } = {}) {
  const headers = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (base64) headers["upstash-encoding"] = "base64";
  const res = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** @param {string} s */
const b64 = (s) => Buffer.from(s).toString("base64");

describe("upstash bridge with the @upstash/redis client", () => {
  it("round-trips Bangla and awkward strings byte for byte", async () => {
    expect(await redis.set(`${P}bn`, BANGLA)).toBe("OK");
    expect(await redis.get(`${P}bn`)).toBe(BANGLA);
    expect(await direct.get(`${P}bn`)).toBe(BANGLA);

    await redis.set(`${P}awk`, AWKWARD);
    expect(await redis.get(`${P}awk`)).toBe(AWKWARD);
  });

  it("returns null for a missing key and numbers for integer replies", async () => {
    expect(await redis.get(`${P}missing`)).toBeNull();
    expect(await redis.incr(`${P}counter`)).toBe(1);
    expect(await redis.incrby(`${P}counter`, 41)).toBe(42);
    await redis.set(`${P}num`, 7);
    expect(await redis.get(`${P}num`)).toBe(7);
  });

  it("stores hashes and reads them back as objects", async () => {
    expect(await redis.hset(`${P}hash`, { name: BANGLA, visits: 3 })).toBe(2);
    expect(await redis.hgetall(`${P}hash`)).toEqual({ name: BANGLA, visits: 3 });
    expect(await redis.hgetall(`${P}nohash`)).toBeNull();
  });

  it("applies expire and reports the remaining ttl", async () => {
    await redis.set(`${P}ttl`, "soon");
    expect(await redis.ttl(`${P}ttl`)).toBe(-1);
    expect(await redis.expire(`${P}ttl`, 100)).toBe(1);
    const ttl = await redis.ttl(`${P}ttl`);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
  });

  it("returns null in place of missing keys from mget", async () => {
    await redis.set(`${P}m1`, BANGLA);
    expect(await redis.mget(`${P}m1`, `${P}m-missing`)).toEqual([BANGLA, null]);
  });

  it("executes an explicit pipeline in order", async () => {
    const p = redis.pipeline();
    p.set(`${P}pipe`, "a");
    p.incr(`${P}pipe-n`);
    p.get(`${P}pipe`);
    p.get(`${P}pipe-missing`);
    expect(await p.exec()).toEqual(["OK", 1, "a", null]);
  });

  it("batches concurrent calls through auto-pipelining", async () => {
    const results = await Promise.all([
      autoRedis.set(`${P}auto`, BANGLA),
      autoRedis.get(`${P}auto`),
      autoRedis.incr(`${P}auto-n`),
    ]);
    expect(results).toEqual(["OK", BANGLA, 1]);
  });

  it("keeps the result shape of a transaction when one command fails at run time", async () => {
    const m = redis.multi();
    m.set(`${P}tx`, "text");
    m.incr(`${P}tx`);
    m.get(`${P}tx`);
    const results = await m.exec({ keepErrors: true });
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({ result: "OK", error: undefined });
    expect(results[1].error).toMatch(/^ERR value is not an integer/);
    expect(results[2]).toEqual({ result: "text", error: undefined });
  });

  it("surfaces a Redis error as a thrown UpstashError", async () => {
    await redis.set(`${P}str`, "not a number");
    await expect(redis.incr(`${P}str`)).rejects.toThrow(/ERR value is not an integer/);
  });

  it("loads a script and runs it by sha", async () => {
    const script = "return {KEYS[1], ARGV[1]}";
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(createHash("sha1").update(script).digest("hex"));
    expect(await redis.evalsha(sha, [`${P}k`], [BANGLA])).toEqual([`${P}k`, BANGLA]);
  });

  it("accepts Upstash's allow-key-locking shebang flag and keeps the client's script hash", async () => {
    const script = `#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])`;
    const clientSha = createHash("sha1").update(script).digest("hex");
    expect(await redis.eval(script, [`${P}locked`], [])).toBe(1);
    expect(await redis.scriptLoad(script)).toBe(clientSha);
    expect(await redis.evalsha(clientSha, [`${P}locked`], [])).toBe(2);
    expect(await redis.scriptExists(clientSha)).toEqual([1]);
  });
});

describe("upstash bridge with @upstash/ratelimit", () => {
  for (const [name, limiter] of [
    ["slidingWindow", Ratelimit.slidingWindow(3, "10 s")],
    ["fixedWindow", Ratelimit.fixedWindow(3, "10 s")],
  ]) {
    it(`${name} allows three requests and denies the fourth`, async () => {
      const ratelimit = new Ratelimit({
        redis,
        limiter,
        prefix: `${P}rl:${name}`,
        analytics: false,
        ephemeralCache: false, // every decision must come from Redis
      });
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await ratelimit.limit("user-1")).success);
      expect(outcomes).toEqual([true, true, true, false]);
      // A different identifier has its own budget.
      expect((await ratelimit.limit("user-2")).success).toBe(true);
    });
  }
});

describe("upstash bridge wire format", () => {
  it("answers a single command with plain strings when base64 is not requested", async () => {
    await post("/", ["SET", `${P}w1`, BANGLA, "EX", 60]);
    expect(await post("/", ["GET", `${P}w1`])).toEqual({ status: 200, json: { result: BANGLA } });
    expect(await post("/", ["GET", `${P}w-missing`])).toEqual({ status: 200, json: { result: null } });
  });

  it("base64-encodes every string except the OK status when asked to", async () => {
    expect(await post("/", ["SET", `${P}w2`, BANGLA], { base64: true })).toEqual({
      status: 200,
      json: { result: "OK" },
    });
    expect((await post("/", ["GET", `${P}w2`], { base64: true })).json).toEqual({ result: b64(BANGLA) });
    expect((await post("/", ["PING"], { base64: true })).json).toEqual({ result: b64("PONG") });
    expect((await post("/", ["STRLEN", `${P}w2`], { base64: true })).json).toEqual({
      result: Buffer.byteLength(BANGLA),
    });
    expect((await post("/", ["MGET", `${P}w2`, `${P}w-missing`], { base64: true })).json).toEqual({
      result: [b64(BANGLA), null],
    });
  });

  it("passes non-UTF-8 bytes through base64 untouched", async () => {
    const { json } = await post("/", ["EVAL", "return string.char(255, 0, 1, 128)", 0], { base64: true });
    expect(Buffer.from(json.result, "base64")).toEqual(Buffer.from([255, 0, 1, 128]));
  });

  it("stringifies number and boolean arguments", async () => {
    expect((await post("/", ["SET", `${P}w3`, 12.5])).json).toEqual({ result: "OK" });
    expect((await post("/", ["GET", `${P}w3`])).json).toEqual({ result: "12.5" });
    expect((await post("/", ["SET", `${P}w4`, true])).json).toEqual({ result: "OK" });
    expect(await direct.get(`${P}w4`)).toBe("true");
  });

  it("answers /pipeline with one result or error object per command", async () => {
    await post("/", ["SET", `${P}w5`, "text"]);
    const res = await post("/pipeline", [
      ["SET", `${P}w6`, "v"],
      ["INCR", `${P}w5`],
      ["GET", `${P}w6`],
      ["GET", `${P}w-missing`],
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: "v" },
      { result: null },
    ]);
  });

  it("answers /multi-exec with one result or error object per command", async () => {
    const res = await post(
      "/multi-exec",
      [
        ["SET", `${P}w7`, BANGLA],
        ["INCR", `${P}w7`],
        ["GET", `${P}w7`],
      ],
      { base64: true },
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: b64(BANGLA) },
    ]);
  });

  it("applies none of a transaction when a command is rejected while queueing", async () => {
    const res = await post("/multi-exec", [
      ["SET", `${P}w8`, "x"],
      ["SET", `${P}w9`],
    ]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^EXECABORT/);
    expect(res.json.error).toContain("wrong number of arguments");
    expect(await direct.exists(`${P}w8`)).toBe(0);
  });

  it("passes Redis error text through with status 400", async () => {
    await post("/", ["SET", `${P}w10`, "text"]);
    const res = await post("/", ["INCR", `${P}w10`]);
    expect(res).toEqual({ status: 400, json: { error: "ERR value is not an integer or out of range" } });
  });

  it("reports NOSCRIPT for an unknown sha", async () => {
    const res = await post("/", ["EVALSHA", "0123456789abcdef0123456789abcdef01234567", 0]);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^NOSCRIPT/);
  });

  it("runs a script by sha after SCRIPT LOAD", async () => {
    const load = await post("/", ["SCRIPT", "LOAD", "return ARGV[1] .. '!'"]);
    expect(load.json.result).toMatch(/^[0-9a-f]{40}$/);
    expect((await post("/", ["EVALSHA", load.json.result, 0, BANGLA])).json).toEqual({ result: `${BANGLA}!` });
  });

  it("runs commands given in the URL path, with a POST body as the last argument", async () => {
    const key = encodeURIComponent(`${P}path/ক`);
    const set = await fetch(`${bridge.url}/set/${key}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BANGLA,
    });
    expect(await set.json()).toEqual({ result: "OK" });
    const get = await fetch(`${bridge.url}/get/${key}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await get.json()).toEqual({ result: BANGLA });
    expect(await direct.get(`${P}path/ক`)).toBe(BANGLA);
  });

  it("rejects a missing or wrong token with 401", async () => {
    expect(await post("/", ["PING"], { token: "wrong" })).toEqual({ status: 401, json: { error: "Unauthorized" } });
    expect(await post("/", ["PING"], { token: null })).toEqual({ status: 401, json: { error: "Unauthorized" } });
    expect((await post("/pipeline", [["PING"]], { token: "wrong" })).status).toBe(401);
  });

  it("rejects malformed JSON and non-array commands with 400", async () => {
    for (const [path, body] of [
      ["/", '["GET"'],
      ["/", { command: "GET" }],
      ["/", []],
      ["/", ["SET", `${P}bad`, { nested: true }]],
      ["/pipeline", ["GET", "x"]],
      ["/multi-exec", "{}"],
    ]) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(typeof res.json.error).toBe("string");
    }
  });

  it("rejects a body over 1 MB with 413 and keeps serving", async () => {
    const res = await post("/", ["SET", `${P}huge`, "x".repeat(1_100_000)]);
    expect(res).toEqual({ status: 413, json: { error: "ERR request body too large" } });
    expect(await direct.exists(`${P}huge`)).toBe(0);
    expect((await post("/", ["PING"])).json).toEqual({ result: "PONG" });
  });

  it("refuses commands that would take over the shared connection", async () => {
    const res = await post("/", ["SUBSCRIBE", "chan"]);
    expect(res.status).toBe(400);
    expect((await post("/", ["PING"])).json).toEqual({ result: "PONG" });
  });
});

describe("upstash bridge when Redis is unreachable", () => {
  it("answers 503 within 3 seconds instead of hanging", async () => {
    const down = await startUpstashBridge({ token: TOKEN, redisUrl: "redis://127.0.0.1:1" });
    try {
      for (const path of ["/", "/pipeline"]) {
        const started = Date.now();
        const res = await fetch(`${down.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(path === "/" ? ["PING"] : [["PING"]]),
        });
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ error: "Redis unavailable" });
        expect(Date.now() - started).toBeLessThan(3_000);
      }
      const client = new UpstashRedis({ url: down.url, token: TOKEN, enableAutoPipelining: false });
      await expect(client.ping()).rejects.toThrow(/Redis unavailable/);
    } finally {
      await down.close();
    }
  });
});
