// Types of harness.mjs for the TypeScript suites.
import type { Browser, Page } from "playwright-core";

export const CHROMIUM: string;
export function requireChromium(): void;
export function startGateway(options?: {
  log?: (message: string) => void;
  suite?: string;
  redisUrl?: string;
}): Promise<{
  base: string;
  databaseUrl: string;
  /** The bridges' and simulators' ports (sms, stripe, bkash, …). */
  ports: Record<"ws" | "upstash" | "sms" | "s3" | "fcm" | "stripe" | "bkash" | "nagad", number>;
  logTail: () => string;
  close: () => Promise<void>;
}>;
export function launchBrowser(): Promise<Browser>;
export interface NetworkReport {
  /** Every request, as "METHOD url". */
  requests: string[];
  /** Requests to another origin (blocked). */
  outside: string[];
  failed: string[];
  /** Answers with status >= 400. */
  errors: string[];
  pageErrors: string[];
  violations: string[];
  /** One line per problem of any kind above; empty when the page behaved. */
  problems: () => string[];
}
export function watchNetwork(page: Page, origin: string): Promise<NetworkReport>;
