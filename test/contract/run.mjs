// `npm run test:contract`: the Prism contract suite (vitest.contract.config.ts); extra arguments pass through to
// vitest.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireNode22 } from "../../dev/stack.mjs";

requireNode22();
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const { status } = spawnSync(
  join(root, "node_modules/.bin/vitest"),
  ["run", "--config", "vitest.contract.config.ts", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
process.exit(status ?? 1);
