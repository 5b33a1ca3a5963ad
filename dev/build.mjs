// `npm run build`: bundles both workers with `wrangler deploy --dry-run` into dist/<worker> and reports their sizes.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { requireNode22 } from "./stack.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/.bin/wrangler");
const WORKERS = [
  { name: "kormo-api", config: "wrangler.toml" },
  { name: "kormo-notifications", config: "workers/notifications/wrangler.toml" },
];

if (!existsSync(wrangler)) {
  console.error("✘ wrangler is not installed: run `npm install` first.");
  process.exit(1);
}

/** Files wrangler would upload: the README it drops into --outdir and source maps (not uploaded by default) are not. */
function uploadFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith(".map") && !(e.parentPath === dir && e.name === "README.md"))
    .map((e) => join(e.parentPath, e.name));
}

function build({ name, config }) {
  const outdir = join(root, "dist", name);
  // A stale module from an earlier build would otherwise be counted in the sizes.
  rmSync(outdir, { recursive: true, force: true });
  // --env "" picks the top-level (local/default) config explicitly, which also silences wrangler's multi-env warning.
  const run = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", outdir, "-c", config, "--env", ""], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) {
    return { name, error: `${run.error?.message ?? ""}${run.stdout ?? ""}${run.stderr ?? ""}`.trim() };
  }
  const files = uploadFiles(outdir);
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { name, outdir: relative(root, outdir), files: files.length, raw, gzip };
}

const results = WORKERS.map((w) => {
  console.log(`[build] ${w.name}: wrangler deploy --dry-run -c ${w.config}`);
  return build(w);
});

const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;
const header = ["worker", "output", "files", "raw", "gzip"];
const rows = results.filter((r) => !r.error).map((r) => [r.name, r.outdir, String(r.files), kib(r.raw), kib(r.gzip)]);
if (rows.length) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("   ");
  console.log(`\n  ${line(header)}\n${rows.map((row) => `  ${line(row)}`).join("\n")}`);
}
const failed = results.filter((r) => r.error);
for (const r of failed) console.error(`\n✘ ${r.name}: the wrangler dry run failed:\n${r.error}`);
if (failed.length) {
  console.error(`\n✘ build failed for ${failed.map((r) => r.name).join(", ")}`);
  process.exit(1);
}
