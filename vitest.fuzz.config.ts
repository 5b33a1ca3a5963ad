// `npm run test:fuzz`: the OpenAPI fuzz suite alone, in workerd with the real bindings. Kept out of `npm test` because
// it sends thousands of requests (1–3 minutes); FUZZ_SEED, FUZZ_RUNS and FUZZ_SHRINK pass through to the suite.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { textModules, timeouts, type Vars, workerVars } from "./vitest.config";

const fuzzVars: Vars = Object.fromEntries(
  ["FUZZ_SEED", "FUZZ_RUNS", "FUZZ_SHRINK", "FUZZ_VERBOSE"].flatMap((k) =>
    process.env[k] ? [[k, process.env[k]]] : [],
  ),
);

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.mjs"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...workerVars(inject<Vars>("vars")),
                LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? "silent",
                ...fuzzVars,
              },
            },
          })),
        ],
        resolve: { alias: textModules },
        test: { ...timeouts, name: "fuzz", include: ["workers/api/test/fuzz/**/*.fuzz.ts"] },
      },
    ],
  },
});
