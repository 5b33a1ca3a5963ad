// The fault suite's workerd part (the queue send failing): the gateway worker in workerd, its own test database.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { textModules } from "../../vitest.config";

type Vars = Record<string, string>;

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    globalSetup: ["./test/global-setup.mjs"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { ...inject<Vars>("vars"), ENVIRONMENT: "test", LOG_LEVEL: "silent" } },
          })),
        ],
        resolve: { alias: textModules },
        test: { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 30_000 },
      },
    ],
  },
});
