// Browser suites' global setup: checks for Chromium first (a clear message, not a stack trace), then starts the
// gateway once for every suite and hands its origin to the tests.
import { requireChromium, startGateway } from "./lib/harness.mjs";

export default async function setup(project) {
  requireChromium();
  const gateway = await startGateway({ log: (m) => console.log(`[browser] ${m}`) });
  project.provide("gatewayUrl", gateway.base);
  return () => gateway.close();
}
