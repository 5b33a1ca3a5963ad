// The architecture check behind `npm run lint`: imports point down the layers, endpoints stay apart, money is
// written only by the provider's object, and no hand-written file grows past 500 lines. ARCHITECTURE.md explains why.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The folders the check reads; everything else (dev/, test/, bench/, migrations/) is outside the layers. */
export const ROOTS = ["workers", "durable-objects", "platform", "db", "lib", "clients"];

/** Never read: installed and generated code. */
const SKIP_DIRS = new Set(["node_modules", ".wrangler", "dist"]);
export const GENERATED = new Set(["workers/worker-configuration.d.ts", "clients/typescript/src/schema.d.ts"]);

export const MAX_LINES = 500;

/**
 * What each layer may import (besides packages). Each worker is its own deployment: neither imports the other. The
 * typed clients ship to other people's apps and know the API only through its OpenAPI document, so they import
 * nothing of the server, and no server layer imports them.
 */
export const ALLOWED = {
  clients: ["clients"],
  lib: ["lib"],
  db: ["db", "lib"],
  platform: ["platform", "db", "lib"],
  "durable-objects": ["durable-objects", "platform", "db", "lib"],
  "workers/api": ["workers/api", "durable-objects", "platform", "db", "lib"],
  "workers/notifications": ["workers/notifications", "platform", "db", "lib"],
};

/** The layer of a repo-relative path (forward slashes), or null when it lies outside the layered folders. */
export function layerOf(path) {
  if (path.startsWith("workers/api/")) return "workers/api";
  if (path.startsWith("workers/notifications/")) return "workers/notifications";
  const top = path.split("/")[0];
  return top in ALLOWED ? top : null;
}

/** Test code: `*.test.ts` files and anything in a `test/` folder (harnesses, helpers). */
export function isTest(path) {
  return /\.test\.m?[jt]s$/.test(path) || path.split("/").slice(0, -1).includes("test");
}

/**
 * An endpoint file is one route: any file under workers/api/routes/ except a service's `index.ts` (its sub-app),
 * its `schemas.ts` (zod schemas its endpoints share), and everything under `routes/shared/` (helpers for all
 * services). Those three are the only files endpoints may share.
 */
export function isEndpoint(path) {
  if (!path.startsWith("workers/api/routes/") || isTest(path)) return false;
  if (path.startsWith("workers/api/routes/shared/")) return false;
  const name = path.split("/").pop();
  return name !== "index.ts" && name !== "schemas.ts";
}

/** SQL that changes the ledger tables (INSERT INTO / UPDATE / DELETE FROM payments or payment_events). */
const LEDGER_WRITE =
  /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?(?:"?public"?\.)?"?(payments|payment_events)"?(?![\w"])/gi;

function toPosix(p) {
  return p.split(sep).join("/");
}

/** The file a relative specifier names, as bundlers resolve it: as written, with .ts/.mjs added, or a folder's index. */
function resolveImport(root, file, spec) {
  const base = resolve(root, dirname(file), spec);
  const candidates = [base, `${base}.ts`, `${base}.mjs`, base.replace(/\.m?js$/, ".ts"), join(base, "index.ts")];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? `${base}.ts`;
  return toPosix(relative(root, found));
}

/** Every .ts/.mjs file under the layered folders, repo-relative, sorted. */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(full);
      } else if (/\.(m?ts|mjs)$/.test(e.name)) {
        const rel = toPosix(relative(root, full));
        if (!GENERATED.has(rel)) out.push(rel);
      }
    }
  };
  for (const r of ROOTS) walk(join(root, r));
  return out.sort();
}

/** Relative import specifiers (static, re-exports, dynamic `import()`, `import("x")` types) with their lines. */
function scan(path, text) {
  const kind = path.endsWith(".mjs") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const imports = [];
  const strings = [];
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node) => {
    let spec;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      spec = node.moduleSpecifier;
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      spec = node.arguments[0];
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      spec = node.argument.literal;
    }
    if (spec && ts.isStringLiteralLike(spec)) imports.push({ spec: spec.text, line: lineOf(spec.getStart(source)) });
    if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) {
      strings.push({ start: node.getStart(source), text: node.getText(source) });
      return; // a template's parts are inside its text already
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, strings, lineOf };
}

/**
 * Checks the tree at `root` and returns its violations, sorted by file and line. Each is
 * `{ file, line, rule, message }` with `rule` one of: layering, worker-to-worker, outside-layers, test-import,
 * endpoint-to-endpoint, ledger-write, file-length.
 */
export function checkTree(root) {
  const violations = [];
  const add = (file, line, rule, message) => violations.push({ file, line, rule, message });
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const test = isTest(file);
    const from = layerOf(file);
    const { imports, strings, lineOf } = scan(file, text);

    for (const { spec, line } of imports) {
      if (!spec.startsWith(".")) continue; // packages and runtime modules (cloudflare:workers) are not ours
      const target = resolveImport(root, file, spec);
      const to = layerOf(target);
      // Tests reach their subject through whatever harness they need (an object's test drives it through the
      // gateway), so they may import anything; production code must never import test code.
      if (test) continue;
      if (isTest(target)) {
        add(file, line, "test-import", `production code imports test code ${target}`);
      } else if (to === null) {
        add(file, line, "outside-layers", `imports ${target}, which is outside the layered folders`);
      } else if (from && !ALLOWED[from].includes(to)) {
        const workers = from.startsWith("workers/") && to.startsWith("workers/");
        add(
          file,
          line,
          workers ? "worker-to-worker" : "layering",
          workers
            ? `${from} imports ${target}: each worker is deployed alone and shares code only through lower layers`
            : `${from} may import only ${ALLOWED[from].join(", ")}; ${target} is in ${to}`,
        );
      } else if (isEndpoint(file) && isEndpoint(target)) {
        add(
          file,
          line,
          "endpoint-to-endpoint",
          `endpoint imports endpoint ${target}: move what they share to schemas.ts, routes/shared/ or a lower layer`,
        );
      }
    }

    if (file.startsWith("workers/") && !test) {
      for (const s of strings) {
        for (const m of s.text.matchAll(LEDGER_WRITE)) {
          add(
            file,
            lineOf(s.start + m.index),
            "ledger-write",
            `${m[1].replace(/\s+/g, " ").toUpperCase()} ${m[2]}: only the provider's Durable Object writes the ledger`,
          );
        }
      }
    }

    const lines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
    if (!test && lines > MAX_LINES) {
      add(file, MAX_LINES + 1, "file-length", `${lines} lines; hand-written files stay within ${MAX_LINES}`);
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** `file:line  rule  message`, the shape editors and CI logs link. */
export function formatViolation(v) {
  return `${v.file}:${v.line}  ${v.rule}  ${v.message}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../.."));
  const found = checkTree(root);
  for (const v of found) console.error(formatViolation(v));
  if (found.length > 0) {
    console.error(`✘ ${found.length} architecture violation(s); see ARCHITECTURE.md, "What the lint check enforces".`);
    process.exit(1);
  }
  console.log(`✔ dependencies point down (${sourceFiles(root).length} files checked)`);
}
