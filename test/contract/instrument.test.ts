// The instrument itself: a check that cannot fail proves nothing, so this shows that the same Prism, started the
// same way, does flag an answer that breaks the document. In front of a stub that answers GET /health with what
// docs/openapi.json does not allow (a status the Health enum lacks, no X-Request-Id), `--errors` turns the answer
// into its own 500 and lists both violations in `sl-violations`, which is what the journey asserts never happens.
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseViolations, send, violationsOf } from "./lib/exchange";
import { startPrism } from "./lib/prism.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
let stub: Server;
let prism: Awaited<ReturnType<typeof startPrism>>;

beforeAll(async () => {
  stub = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "fine" }));
  });
  await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
  const { port } = stub.address() as AddressInfo;
  prism = await startPrism({
    root,
    spec: join(root, "docs/openapi.json"),
    upstream: `http://127.0.0.1:${port}`,
    errors: true,
    logFile: join(tmpdir(), `kormo-contract-instrument-${process.pid}.log`),
  });
});

afterAll(async () => {
  await prism?.close();
  await new Promise((r) => stub?.close(r));
  if (prism) rmSync(prism.logFile, { force: true });
});

describe("Prism as this suite runs it", () => {
  it("flags an answer that breaks the document, with a 500 of its own and sl-violations", async () => {
    const res = await fetch(`${prism.url}/health`);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const flagged = violationsOf(res.headers);
    expect(flagged.map((v) => v.location.join("."))).toEqual(
      expect.arrayContaining(["response.body.status", "response.header"]),
    );
    expect(flagged.find((v) => v.location.join(".") === "response.header")?.message).toMatch(/x-request-id/i);
  });

  it("passes the real gateway's /health through clean", async () => {
    const health = await send("prism", "/health");
    expect(health.status).toBe(200);
    expect(responseViolations(health)).toEqual([]);
    expect(health.violations).toEqual([]);
  });
});
