// What every browser suite needs: an isolated gateway started as a developer runs it, a headless Chromium, and a
// record of every request a page makes, so a suite can assert that nothing failed and nothing left the origin.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { DEV_TEST_NUMBERS } from "../../../dev/stack.mjs";
import { startFaultStack } from "../../faults/lib/stack.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const REDIS_URL = process.env.BROWSER_REDIS_URL ?? "redis://127.0.0.1:6379/13";

/** Fails at once, with the fix, when there is no browser to drive (Debian's Chromium; playwright-core ships none). */
export function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (or set CHROMIUM_PATH).`,
    );
  }
}

/**
 * Both workers under `wrangler dev` on their own database (kormo_<suite>_<pid>), Redis db (13 for the browser
 * suites) and ephemeral ports, with the bridges and simulators (test/faults/lib/stack.mjs). Another suite passes its
 * own `suite` and `redisUrl`, so two suites can run at once. Returns { base, databaseUrl, ports, logTail, close }.
 */
export function startGateway({ log = () => {}, suite = "browser", redisUrl = REDIS_URL } = {}) {
  return startFaultStack({ root, suite, redisUrl, testNumbers: DEV_TEST_NUMBERS, log });
}

/** Headless Chromium; --no-sandbox because CI and the dev containers run as root. */
export function launchBrowser() {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

/** data: and blob: URLs never touch the network. */
const local = (url) => url.startsWith("data:") || url.startsWith("blob:");

/**
 * Records every request `page` makes and blocks (aborts) any to another origin than `origin`, so a page that
 * would call out fails its suite here rather than quietly working only online. Call before the first navigation.
 * `problems()` lists, one line each: requests to other origins, failed requests, answers >= 400, uncaught page
 * errors and Content-Security-Policy violations.
 */
export async function watchNetwork(page, origin) {
  const report = { requests: [], outside: [], failed: [], errors: [], pageErrors: [], violations: [] };
  const outside = (url) => !local(url) && new URL(url).origin !== origin;
  await page.route("**/*", (route) =>
    outside(route.request().url()) ? route.abort("blockedbyclient") : route.continue(),
  );
  // Every attempt counts, also one the page's CSP stopped before it reached the router above.
  page.on("request", (req) => {
    report.requests.push(`${req.method()} ${req.url()}`);
    if (outside(req.url())) report.outside.push(`${req.method()} ${req.url()}`);
  });
  page.on("requestfailed", (req) => {
    if (!outside(req.url())) report.failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) report.errors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on("pageerror", (err) => report.pageErrors.push(err.message));
  // Chromium reports what the CSP blocked only on the console.
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) report.violations.push(msg.text());
  });
  report.problems = () => [
    ...report.outside.map((r) => `request to another origin (blocked): ${r}`),
    ...report.failed.map((f) => `request failed: ${f}`),
    ...report.errors.map((e) => `answered ${e}`),
    ...report.pageErrors.map((e) => `page error: ${e}`),
    ...report.violations.map((v) => `CSP violation: ${v}`),
  ];
  return report;
}
