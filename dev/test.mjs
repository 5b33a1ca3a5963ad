// `npm test`: every test project (workerd and Node) in one vitest run; extra arguments pass through to vitest.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireNode22 } from "./stack.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vitest = join(root, "node_modules/.bin/vitest");
if (!existsSync(vitest)) {
  console.error("✘ vitest is not installed: run `npm install` first.");
  process.exit(1);
}
const { status } = spawnSync(vitest, ["run", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(status ?? 1);
