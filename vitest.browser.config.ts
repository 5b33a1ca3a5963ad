// `npm run test:browser`: real-browser suites (test/browser/*.test.ts) in Node, driving headless Chromium against
// one isolated gateway under `wrangler dev` that test/browser/global-setup.mjs starts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/browser/global-setup.mjs"],
    projects: [
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
