import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isDependencyFailure, sqlState } from "../../platform/pg/errors";
import { sql } from "../../workers/api/test/helpers";
import { pgReader, ReaderError } from "./client";

/** A reader shard of its own, so other tests' statements do not share its connection. */
const reader = () => pgReader(env, `test:${crypto.randomUUID()}`);

const Pid = z.object({ pid: z.number().int().positive() });

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

// The PgReader objects serve reads with PG_READS=objects (the api-websocket project runs this file); by default reads
// go over HTTP (durable-objects/pg-reader/http-reads.test.ts).
describe.runIf(env.PG_READS === "objects")("PgReader", () => {
  it("answers a failed statement instead of throwing across RPC, and its client throws it with its SQLSTATE", async () => {
    const stub = env.PG_READER.get(env.PG_READER.idFromName(`test:${crypto.randomUUID()}`));
    const answer = await stub.query("SELECT 1 / $1::int AS x", [0]);
    expect(answer).toMatchObject({ ok: false, error: { code: "22012", message: "division by zero" } });
    const err = await failure(reader().query("SELECT 1 / $1::int AS x", [0]));
    expect(err).toBeInstanceOf(ReaderError);
    expect(sqlState(err)).toBe("22012");
    expect(isDependencyFailure(err)).toBe(false);
  });

  it("reports its backend being terminated as a dependency failure at most once, then reads on a new connection", async () => {
    const r = reader();
    const pid = async () => Pid.parse((await r.query("SELECT pg_backend_pid() AS pid", [])).rows[0]).pid;
    const before = await pid();
    await sql("SELECT pg_terminate_backend($1)", [before]);
    const next = await r.query("SELECT pg_backend_pid() AS pid", []).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (next !== undefined) expect(isDependencyFailure(next)).toBe(true);
    const after = await pid();
    expect(after).not.toBe(before);
    expect(after).toBeGreaterThan(0);
  });
});
