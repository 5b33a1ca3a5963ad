// Reads over Neon's HTTP path (PG_READS=http, the default): a refused statement keeps its SQLSTATE and is the
// caller's error, and a terminated backend costs the next read nothing (the pooler hands out another connection).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isDependencyFailure, sqlState } from "../../platform/pg/errors";
import { sql } from "../../workers/api/test/helpers";
import { pgReader } from "./client";

const Pid = z.object({ pid: z.number().int().positive() });

describe.runIf(env.PG_READS === "http")("reads over HTTP", () => {
  it("keeps a refused statement's SQLSTATE and does not call it an outage", async () => {
    const err = await pgReader(env, "any")
      .query("SELECT 1 / $1::int AS x", [0])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(sqlState(err)).toBe("22012");
    expect(isDependencyFailure(err)).toBe(false);
  });

  it("reads on another pooled connection after the server terminates the one it used", async () => {
    const r = pgReader(env, "any");
    const pid = async () => Pid.parse((await r.query("SELECT pg_backend_pid() AS pid", [])).rows[0]).pid;
    const before = await pid();
    await sql("SELECT pg_terminate_backend($1)", [before]);
    // The bridge's pool drops the dead connection; at worst one read fails as an outage, never as our bug.
    const next = await r.query("SELECT pg_backend_pid() AS pid", []).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (next !== undefined) expect(isDependencyFailure(next)).toBe(true);
    expect(await pid()).toBeGreaterThan(0);
  });

  it("runs with jit off, the migrated database's own setting (no session outlives a statement to SET it)", async () => {
    const { rows } = await pgReader(env, "any").query("SELECT current_setting('jit') AS jit", []);
    expect(rows[0]).toEqual({ jit: "off" });
  });

  it("parses types as the WebSocket path does (bigint as text, timestamptz as Date, json as objects)", async () => {
    const { rows } = await pgReader(env, "any").query(
      "SELECT 9007199254740993::int8 AS big, '2030-01-02T03:04:05Z'::timestamptz AS at, '{\"a\":[1]}'::jsonb AS j, NULL::text AS n",
      [],
    );
    expect(rows[0]).toEqual({ big: "9007199254740993", at: new Date("2030-01-02T03:04:05Z"), j: { a: [1] }, n: null });
  });
});
