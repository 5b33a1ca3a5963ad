// `npm run test:browser`: the real-browser suites (vitest.browser.config.ts). Checks for Chromium first, so a machine
// without it gets one line saying what to install instead of a stack trace; extra arguments pass through to vitest.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireNode22 } from "../../dev/stack.mjs";
import { requireChromium } from "./lib/harness.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
try {
  requireChromium();
} catch (err) {
  console.error(`✘ ${err.message}`);
  process.exit(1);
}
const { status } = spawnSync(
  join(root, "node_modules/.bin/vitest"),
  ["run", "--config", "vitest.browser.config.ts", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
process.exit(status ?? 1);
