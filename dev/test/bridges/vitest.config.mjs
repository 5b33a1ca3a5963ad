// Vitest config for the dev bridge tests: plain Node, real local Postgres and Redis.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.test.mjs"],
    environment: "node",
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
