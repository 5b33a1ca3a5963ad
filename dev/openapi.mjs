// `npm run openapi`: writes the gateway's OpenAPI document to docs/openapi.json and regenerates the typed client's
// types from it. `npm run openapi -- --check` writes nothing and fails when either committed file is stale (CI).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { requireNode22 } from "./stack.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
export const DOC_PATH = join(root, "docs/openapi.json");

/**
 * wrangler.toml's Text module rule, for esbuild: Scalar's bundle (imported by the /docs route, not in its package's
 * exports) loads as a string, as wrangler loads it.
 */
const textModules = {
  name: "text-modules",
  setup(b) {
    b.onResolve({ filter: /^@scalar\/api-reference\/dist\/browser\/standalone\.js$/ }, () => ({
      path: join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js"),
      namespace: "text-module",
    }));
    b.onLoad({ filter: /.*/, namespace: "text-module" }, (args) => ({
      contents: readFileSync(args.path),
      loader: "text",
    }));
  },
};

/** Builds the app in Node (its Durable Object classes need only a base class) and returns the served document. */
export async function generateDocument() {
  const dir = mkdtempSync(join(tmpdir(), "kormo-openapi-"));
  try {
    const out = join(dir, "doc.mjs");
    await build({
      stdin: {
        contents:
          'import { buildApp } from "./workers/api/app";\nimport { openApiDocument } from "./workers/api/openapi";\nexport default openApiDocument(buildApp());',
        resolveDir: root,
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: out,
      alias: { "cloudflare:workers": join(root, "test/node/cloudflare-workers-shim.ts") },
      plugins: [textModules],
      logLevel: "error",
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    return (await import(pathToFileURL(out).href)).default;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed form: stable key order as generated, two-space indentation, trailing newline. */
export const serialize = (doc) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = serialize(await generateDocument());
  const stale = [];
  let current = "";
  try {
    current = readFileSync(DOC_PATH, "utf8");
  } catch {}
  if (current !== text) {
    if (check) stale.push("docs/openapi.json");
    else writeFileSync(DOC_PATH, text);
  }
  if (stale.length) {
    console.error(`✘ stale: ${stale.join(", ")}. Run \`npm run openapi\` and commit the result.`);
    process.exit(1);
  }
  console.log(check ? "✓ docs/openapi.json is current" : "✓ wrote docs/openapi.json");
}
