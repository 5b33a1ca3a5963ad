// The bridges run as standalone CLIs that announce their port on one JSON line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Start a bridge CLI and resolve with its announcement once it listens.
 * @param {string} file
 * @param {Record<string, string>} env
 */
function startCli(file, env) {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../../bridges/${file}`, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const announced = new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before announcing`)));
  });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, announced, exited };
}

describe("bridge CLIs", () => {
  it("ws-bridge prints its port as JSON, serves /health and exits cleanly on SIGTERM", async () => {
    const { child, announced, exited } = startCli("ws-bridge.mjs", { WS_BRIDGE_PORT: "0" });
    try {
      const text = /** @type {string} */ (await announced);
      expect(text.trim().split("\n")).toHaveLength(1);
      const line = JSON.parse(text);
      expect(line).toEqual({ bridge: "ws", port: expect.any(Number) });
      expect(line.port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${line.port}/health`);
      expect(await res.text()).toBe("ok");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("upstash-bridge prints its port as JSON, honours UPSTASH_BRIDGE_TOKEN and exits cleanly on SIGTERM", async () => {
    const { child, announced, exited } = startCli("upstash-bridge.mjs", {
      UPSTASH_BRIDGE_PORT: "0",
      UPSTASH_BRIDGE_TOKEN: "cli-test-token",
    });
    try {
      const line = JSON.parse(/** @type {string} */ (await announced));
      expect(line).toEqual({ bridge: "upstash", port: expect.any(Number) });
      const ping = (token) =>
        fetch(`http://127.0.0.1:${line.port}/`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify(["PING"]),
        });
      expect(await (await ping("cli-test-token")).json()).toEqual({ result: "PONG" });
      expect((await ping("kormo-dev-token")).status).toBe(401);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
  it("sql-http-bridge prints its port as JSON, answers neon()'s /sql and exits cleanly on SIGTERM", async () => {
    const databaseUrl = "postgres://postgres@127.0.0.1:5432/postgres";
    const { child, announced, exited } = startCli("sql-http-bridge.mjs", {
      SQL_HTTP_BRIDGE_PORT: "0",
      DATABASE_URL: databaseUrl,
    });
    try {
      const line = JSON.parse(/** @type {string} */ (await announced));
      expect(line).toEqual({ bridge: "sql-http", port: expect.any(Number) });
      const res = await fetch(`http://127.0.0.1:${line.port}/sql`, {
        method: "POST",
        headers: { "neon-connection-string": databaseUrl, "neon-raw-text-output": "true", "neon-array-mode": "true" },
        body: JSON.stringify({ query: "SELECT $1::int + 1 AS n", params: ["41"] }),
      });
      expect(await res.json()).toMatchObject({ command: "SELECT", rowCount: 1, rows: [["42"]] });
      expect(await (await fetch(`http://127.0.0.1:${line.port}/health`)).json()).toMatchObject({ ok: true });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
