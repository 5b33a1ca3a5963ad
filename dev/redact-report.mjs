// `npm run redact:report`: the chat redactor's recall and false-positive rate over its corpus (lib/redact.corpus*.ts),
// per language file and overall, and the cases it gets wrong. Builds the TypeScript with esbuild, as dev/openapi.mjs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles the corpus module (and the redactor it imports) for Node and returns its corpusReport(). */
export async function loadReport() {
  const dir = mkdtempSync(join(tmpdir(), "kormo-redact-"));
  try {
    const out = join(dir, "corpus.mjs");
    await build({
      entryPoints: [join(root, "lib/redact.corpus.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: out,
      logLevel: "error",
    });
    return (await import(pathToFileURL(out).href)).corpusReport();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;

/** The report as a small fixed-width table, then the misses and false positives, one per line. */
export function formatReport(report) {
  const head = ["set", "cases", "redact", "keep", "recall", "false pos.", "known misses"];
  const rows = report.rows.map((r) => [
    r.set,
    String(r.cases),
    String(r.redact),
    String(r.keep),
    pct(r.recall),
    pct(r.falsePositiveRate),
    String(r.knownMisses),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (report.misses.length)
    out.push("", "missed (text still reveals the detail):", ...report.misses.map((t) => `  ${t}`));
  if (report.falsePositives.length)
    out.push("", "false positives (benign text changed):", ...report.falsePositives.map((t) => `  ${t}`));
  return out.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatReport(await loadReport()));
}
