// The architecture check (dev/lint/deps.mjs, run by `npm run lint`) on small trees written for each case.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkTree, formatViolation, isEndpoint, isTest, layerOf, sourceFiles } from "../../dev/lint/deps.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
const checker = join(repo, "dev/lint/deps.mjs");
const trees: string[] = [];

/** Writes `files` (repo-relative path -> content) into a fresh temporary tree and returns its root. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "kormo-deps-"));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join("\n")}\n`;

/** A small tree that follows every rule, including the cases the rules explicitly allow. */
const clean: Record<string, string> = {
  "lib/money.ts": 'import { z } from "zod";\nexport const Poisha = z.number().int();\n',
  "lib/enums.ts": 'export { Poisha } from "./money";\n',
  "db/schema.ts": 'import type { Poisha } from "../lib/money";\nexport type Row = { amount: Poisha };\n',
  "platform/pg/sql.ts":
    'import "../../lib/money";\nimport type { Row } from "../../db/schema";\nexport type R = Row;\n',
  "durable-objects/ledger/sql.ts":
    'import { Poisha } from "../../lib/money";\nexport const WRITE = `INSERT INTO payments (amount) VALUES (:amount)`;\nexport const P = Poisha;\n',
  "durable-objects/ledger/client.ts":
    'import { WRITE } from "./sql";\nimport "../../platform/pg/sql";\nexport { WRITE };\n',
  "durable-objects/ledger/ledger.test.ts": 'import { call } from "../../workers/api/test/helpers";\nvoid call;\n',
  "workers/api/routes/booking/schemas.ts": 'export const Id = "id";\n',
  "workers/api/routes/shared/security.ts": "export const bearer = [{ bearer: [] }];\n",
  "workers/api/routes/booking/create.ts":
    'import { Id } from "./schemas";\nimport { bearer } from "../shared/security";\nimport { WRITE } from "../../../../durable-objects/ledger/client";\n' +
    "export const q = `SELECT amount FROM payments WHERE id = $" +
    "{Id} FOR UPDATE OF payments`; // we never update payments here\n" +
    "export const w = [WRITE, bearer];\n",
  "workers/api/routes/booking/read.ts": 'import { Id } from "./schemas";\nexport const r = Id;\n',
  "workers/api/routes/booking/index.ts":
    'import { q } from "./create";\nimport { r } from "./read";\nexport { q, r };\n',
  "workers/api/test/helpers.ts": `export const call = () => "UPDATE payments SET status = 'voided'";\n${lines(600)}`,
  "workers/api/test/payments.test.ts":
    'import { call } from "./helpers";\nimport "../../notifications/index";\nvoid call;\n',
  "workers/notifications/index.ts": `import { Poisha } from "../../lib/money";\nimport "../../platform/pg/sql";\n${lines(498)}`,
  "workers/worker-configuration.d.ts": `import "../durable-objects/ledger/client";\n${lines(900)}`,
  "node_modules/pkg/index.ts": 'import "../../workers/api/routes/booking/create";\n',
  "clients/typescript/src/index.ts": 'import type { paths } from "./schema";\nexport type P = paths;\n',
  "clients/typescript/src/schema.d.ts": `import "../../../lib/money";\n${lines(900)}`,
  "workers/api/test/client.test.ts": 'import type { P } from "../../../clients/typescript/src";\nexport type Q = P;\n',
};

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("architecture check", () => {
  it("passes a tree whose imports point down, with shared schemas, helpers, tests that reach up, and a 500-line file", () => {
    expect(checkTree(tree(clean))).toEqual([]);
  });

  it("fails an upward import, naming the file, the line and the layers allowed", () => {
    const root = tree({
      ...clean,
      "lib/policy.ts":
        'import { z } from "zod";\n\nimport { WRITE } from "../durable-objects/ledger/sql";\nexport { z, WRITE };\n',
      "platform/config.ts": 'export type { Ctx } from "../workers/api/context";\n',
      "durable-objects/ledger/views.ts":
        'export const load = () => import("../../workers/api/routes/booking/schemas");\n',
      "workers/api/context.ts": "export type Ctx = { id: string };\n",
    });
    const found = checkTree(root);
    expect(found.map((v) => [v.file, v.line, v.rule])).toEqual([
      ["durable-objects/ledger/views.ts", 1, "layering"],
      ["lib/policy.ts", 3, "layering"],
      ["platform/config.ts", 1, "layering"],
    ]);
    expect(found[1]?.message).toBe("lib may import only lib; durable-objects/ledger/sql.ts is in durable-objects");
  });

  it("fails a worker that imports the other worker, in either direction", () => {
    const root = tree({
      ...clean,
      "workers/notifications/fanout.ts": 'import { q } from "../api/routes/booking/create";\nexport { q };\n',
      "workers/api/scheduled.ts": 'import type { X } from "../notifications/types";\nexport type Y = X;\n',
      "workers/notifications/types.ts": "export type X = number;\n",
    });
    expect(checkTree(root).map((v) => [v.file, v.rule])).toEqual([
      ["workers/api/scheduled.ts", "worker-to-worker"],
      ["workers/notifications/fanout.ts", "worker-to-worker"],
    ]);
  });

  it("fails a notifications file that imports a Durable Object, since that worker has no object bindings", () => {
    const root = tree({ ...clean, "workers/notifications/x.ts": 'import "../../durable-objects/ledger/client";\n' });
    expect(checkTree(root).map((v) => [v.file, v.line, v.rule])).toEqual([
      ["workers/notifications/x.ts", 1, "layering"],
    ]);
  });

  it("fails an endpoint that imports another endpoint, also across services, but not the service's index", () => {
    const root = tree({
      ...clean,
      "workers/api/routes/booking/transition.ts": 'import { r } from "./read";\nexport const t = r;\n',
      "workers/api/routes/payments/refund.ts": '\nimport { t } from "../booking/transition.ts";\nexport const x = t;\n',
    });
    const found = checkTree(root);
    expect(found.map((v) => [v.file, v.line, v.rule])).toEqual([
      ["workers/api/routes/booking/transition.ts", 1, "endpoint-to-endpoint"],
      ["workers/api/routes/payments/refund.ts", 2, "endpoint-to-endpoint"],
    ]);
    expect(found[0]?.message).toContain("workers/api/routes/booking/read.ts");
  });

  it("fails a workers/ file that writes payments or payment_events, on the line of the statement", () => {
    const root = tree({
      ...clean,
      "workers/api/routes/payments/webhook.ts": [
        "export const a = `",
        "  WITH up AS (",
        "    update payments SET status = :status WHERE id = :id RETURNING id)",
        "  INSERT INTO payment_events (payment_id) SELECT id FROM up`;",
        'export const b = "DELETE FROM public.payments WHERE id = 1";',
        "export const c = 'SELECT 1 FROM payments_archive; UPDATE payment_eventsx SET a = 1';",
        "",
      ].join("\n"),
    });
    const found = checkTree(root);
    expect(found.map((v) => [v.line, v.rule, v.message.split(":")[0]])).toEqual([
      [3, "ledger-write", "UPDATE payments"],
      [4, "ledger-write", "INSERT INTO payment_events"],
      [5, "ledger-write", "DELETE FROM payments"],
    ]);
  });

  it("fails a hand-written file over 500 lines, but not a test or the generated bindings", () => {
    const root = tree({ ...clean, "durable-objects/ledger/ledger.ts": lines(501) });
    expect(checkTree(root)).toEqual([
      {
        file: "durable-objects/ledger/ledger.ts",
        line: 501,
        rule: "file-length",
        message: "501 lines; hand-written files stay within 500",
      },
    ]);
  });

  it("fails a client that imports the server, and a server layer that imports a client", () => {
    const root = tree({
      ...clean,
      "clients/typescript/src/money.ts": 'import { Poisha } from "../../../lib/money";\nexport { Poisha };\n',
      "lib/client.ts": 'import type { P } from "../clients/typescript/src/index";\nexport type C = P;\n',
    });
    const found = checkTree(root);
    expect(found.map((v) => [v.file, v.line, v.rule])).toEqual([
      ["clients/typescript/src/money.ts", 1, "layering"],
      ["lib/client.ts", 1, "layering"],
    ]);
    expect(found[0]?.message).toBe("clients may import only clients; lib/money.ts is in lib");
  });

  it("fails production code that imports test code", () => {
    const root = tree({ ...clean, "workers/api/app.ts": 'import { call } from "./test/helpers";\nexport { call };\n' });
    expect(checkTree(root).map((v) => [v.file, v.rule])).toEqual([["workers/api/app.ts", "test-import"]]);
  });

  it("fails a layered file that imports dev/ or bench/ code, which is outside the layers", () => {
    const root = tree({ ...clean, "platform/keys.ts": 'import { keys } from "../dev/keys.mjs";\nexport { keys };\n' });
    expect(checkTree(root).map((v) => [v.file, v.rule])).toEqual([["platform/keys.ts", "outside-layers"]]);
  });

  it("prints one file:line line per violation and exits 1; prints a summary and exits 0 on a clean tree", () => {
    const bad = tree({ ...clean, "lib/up.ts": '\nimport "../platform/pg/sql";\n' });
    const failed = spawnSync(process.execPath, [checker, bad], { encoding: "utf8" });
    expect(failed.status).toBe(1);
    expect(failed.stderr.split("\n")[0]).toBe(
      "lib/up.ts:2  layering  lib may import only lib; platform/pg/sql.ts is in platform",
    );
    const passed = spawnSync(process.execPath, [checker, tree(clean)], { encoding: "utf8" });
    expect(passed.status).toBe(0);
    expect(passed.stdout).toMatch(/dependencies point down \(\d+ files checked\)/);
  });
});

describe("architecture check vocabulary", () => {
  it("names each path's layer, and nothing outside the layered folders", () => {
    expect(
      ["lib/a.ts", "db/schema.ts", "platform/pg/sql.ts", "durable-objects/x/y.ts", "workers/api/app.ts"].map(layerOf),
    ).toEqual(["lib", "db", "platform", "durable-objects", "workers/api"]);
    expect(layerOf("workers/notifications/index.ts")).toBe("workers/notifications");
    expect([layerOf("dev/db.mjs"), layerOf("test/node/x.ts"), layerOf("workers/other.ts")]).toEqual([null, null, null]);
  });

  it("counts a service's index.ts, schemas.ts and routes/shared/ as helpers, every other route file as an endpoint", () => {
    expect(isEndpoint("workers/api/routes/booking/create.ts")).toBe(true);
    expect(isEndpoint("workers/api/routes/booking/shared.ts")).toBe(true);
    expect(isEndpoint("workers/api/routes/booking/index.ts")).toBe(false);
    expect(isEndpoint("workers/api/routes/booking/schemas.ts")).toBe(false);
    expect(isEndpoint("workers/api/routes/shared/json.ts")).toBe(false);
    expect(isEndpoint("workers/api/app.ts")).toBe(false);
  });

  it("treats *.test.* files and files in test/ folders as tests", () => {
    expect(isTest("lib/phone.test.ts")).toBe(true);
    expect(isTest("workers/notifications/test/harness.ts")).toBe(true);
    expect(isTest("workers/api/routes/auth/otp-request.ts")).toBe(false);
    expect(isTest("lib/testing.ts")).toBe(false);
  });

  it("reads the real tree's layers, skipping installed packages and the generated bindings", () => {
    const files = sourceFiles(repo);
    expect(files).toContain("lib/enums.ts");
    expect(files).toContain("workers/notifications/index.ts");
    expect(files).toContain("durable-objects/pg-reader/client.ts");
    expect(files).toContain("clients/typescript/src/index.ts");
    expect(files).not.toContain("workers/worker-configuration.d.ts");
    expect(files).not.toContain("clients/typescript/src/schema.d.ts");
    expect(files.some((f) => f.includes("node_modules") || f.startsWith("dev/") || f.startsWith("test/"))).toBe(false);
  });

  it("formats a violation as file:line, rule and message", () => {
    expect(formatViolation({ file: "lib/a.ts", line: 3, rule: "layering", message: "m" })).toBe(
      "lib/a.ts:3  layering  m",
    );
  });
});
