// `npm run test:contract`: the journey and the error cases through Stoplight Prism's validating proxy
// (test/contract/*.test.ts, in Node) in front of one isolated gateway under `wrangler dev` that
// test/contract/global-setup.mjs starts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/contract/global-setup.mjs"],
    projects: [
      {
        test: {
          name: "contract",
          environment: "node",
          include: ["test/contract/**/*.test.ts"],
          // One stack for every file: the files run one after another, so Prism's log reads in order.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
