// Three projects: the gateway and the notifications worker run inside workerd; bridges, migrations and pure logic in Node.

import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { BOOKING_LIMITS, MATCH_LIMITS } from "./lib/policy";
import { RETURN_URL_DEFAULT } from "./lib/return-url";

export type Vars = Record<string, string>;

/**
 * wrangler.toml's Text module rule, said to Vite: the gateway imports Scalar's bundle (not in the package's exports)
 * as a string. Every vitest config that loads the gateway (workerd or Node) resolves it with this alias.
 */
export const textModules = {
  "@scalar/api-reference/dist/browser/standalone.js": `${fileURLToPath(new URL("./node_modules/@scalar/api-reference/dist/browser/standalone.js", import.meta.url))}?raw`,
};

// Projects do not inherit root test options unless they extend the root, and extending would run globalSetup per project.
export const timeouts = { testTimeout: 20_000, hookTimeout: 30_000 };

/**
 * The production policy, stated for the workers under test: wrangler also reads the `.dev.vars` that `npm run dev`
 * writes, whose development policy (lifted caps, a wide horizon) would otherwise leak into a developer's test run.
 */
const productionPolicy: Vars = {
  BOOKING_MAX_PENDING_PER_CUSTOMER: String(BOOKING_LIMITS.pendingPerCustomer),
  BOOKING_MAX_PENDING_PER_PROVIDER_DAY: String(BOOKING_LIMITS.pendingPerProviderDay),
  BOOKING_CONFIRM_WITHIN_H: String(BOOKING_LIMITS.confirmWithinHours),
  BOOKING_HORIZON_DAYS: String(BOOKING_LIMITS.horizonDays),
  MATCH_MAX_OPEN_PER_CUSTOMER: String(MATCH_LIMITS.openPerCustomer),
  // Wallet returns are tested against production's allow-list, not the dev stack's loopback entries.
  RETURN_URL_ALLOWLIST: RETURN_URL_DEFAULT,
  // Payouts as production pays (platform/config.ts defaults), not the dev stack's 30-second, no-minimum policy.
  DISPUTE_WINDOW_S: "259200",
  PAYOUT_MIN_POISHA: "50000",
  PAYOUT_APPROVAL_ABOVE_POISHA: "2500000",
  CASH_DEBT_LIMIT_POISHA: "300000",
  PAYOUT_ACCOUNT_AUTO_VERIFY: "false",
};

// RETRY_BASE_S 0: retried messages come back at once, so retry and dead-letter paths run in test time.
export const workerVars = (vars: Vars) => ({
  ...productionPolicy,
  ...vars,
  ENVIRONMENT: "test",
  LOG_LEVEL: "silent",
  RETRY_BASE_S: "0",
});

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.mjs"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: workerVars(inject<Vars>("vars")) },
          })),
        ],
        resolve: { alias: textModules },
        test: { ...timeouts, name: "api", include: ["workers/api/**/*.test.ts", "durable-objects/**/*.test.ts"] },
      },
      {
        // The earlier transports stay configurable (PG_READS=objects, PG_OBJECT_WRITES=websocket), so they stay
        // tested: the objects' own suites and the booking journeys run on them too.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: workerVars({ ...inject<Vars>("vars"), PG_READS: "objects", PG_OBJECT_WRITES: "websocket" }),
            },
          })),
        ],
        resolve: { alias: textModules },
        test: {
          ...timeouts,
          name: "api-websocket",
          include: [
            "durable-objects/**/*.test.ts",
            "workers/api/test/booking.test.ts",
            "workers/api/test/wallets.test.ts",
          ],
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./workers/notifications/wrangler.toml" },
            miniflare: { bindings: workerVars(inject<Vars>("vars")) },
          })),
        ],
        test: { ...timeouts, name: "notifications", include: ["workers/notifications/test/**/*.test.ts"] },
      },
      {
        resolve: { alias: textModules },
        test: {
          ...timeouts,
          name: "node",
          environment: "node",
          alias: { "cloudflare:workers": new URL("./test/node/cloudflare-workers-shim.ts", import.meta.url).pathname },
          include: [
            "dev/test/**/*.test.mjs",
            "test/node/**/*.test.{ts,mjs}",
            "lib/**/*.test.ts",
            "workers/notifications/fanout/**/*.test.ts",
          ],
        },
      },
    ],
  },
});
