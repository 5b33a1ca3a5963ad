// Contract suite's global setup: one isolated gateway under `wrangler dev` (test/browser/lib/harness.mjs), then two
// Prism proxies in front of it (the strict one with --errors, and an observer), and their addresses for the tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startGateway } from "../browser/lib/harness.mjs";
import { startPrism } from "./lib/prism.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const REDIS_URL = process.env.CONTRACT_REDIS_URL ?? "redis://127.0.0.1:6379/12";

export default async function setup(project) {
  const log = (m) => console.log(`[contract] ${m}`);
  const logs = mkdtempSync(join(tmpdir(), "kormo-contract-prism-"));
  const gateway = await startGateway({ log, suite: "contract", redisUrl: REDIS_URL });
  const proxies = [];
  const close = async () => {
    await Promise.allSettled(proxies.map((p) => p.close()));
    await gateway.close();
    // FAULTS_KEEP=1 (the stack's own switch) keeps Prism's logs beside the database and wrangler's log.
    if (process.env.FAULTS_KEEP !== "1") rmSync(logs, { recursive: true, force: true });
  };
  try {
    const spec = join(root, "docs/openapi.json");
    const [strict, observer] = await Promise.all(
      [true, false].map((errors) =>
        startPrism({
          root,
          spec,
          upstream: gateway.base,
          errors,
          logFile: join(logs, errors ? "prism-errors.log" : "prism-observer.log"),
          log,
        }).then((p) => {
          proxies.push(p);
          return p;
        }),
      ),
    );
    project.provide("contract", {
      gatewayUrl: gateway.base,
      prismUrl: strict.url,
      observerUrl: observer.url,
      prismLog: strict.logFile,
      observerLog: observer.logFile,
      databaseUrl: gateway.databaseUrl,
      smsUrl: `http://127.0.0.1:${gateway.ports.sms}`,
    });
  } catch (err) {
    console.error(gateway.logTail());
    await close();
    throw err;
  }
  return close;
}
