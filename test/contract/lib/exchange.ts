// What the contract tests share: requests through Prism (strict and observing) and straight to the gateway, the
// violations Prism reports, a typed client whose every exchange is recorded, SMS logins and Postgres.
import { readFileSync } from "node:fs";
import pg from "pg";
import { beforeEach, inject } from "vitest";
import { createKormoClient, dpopProof, type KormoClient } from "../../../clients/typescript/src";

export const env = inject("contract");

/** One entry of Prism's `sl-violations` header (its location starts with "request" or "response"). */
export interface Violation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  /** What Prism listed in `sl-violations`; empty when it found nothing (or the answer did not pass Prism). */
  violations: Violation[];
}

export interface Exchange extends Answer {
  method: string;
  path: string;
}

/** Prism truncates a long list and prefixes it; that still counts as violations, shown as one message. */
export function violationsOf(headers: Headers): Violation[] {
  const raw = headers.get("sl-violations");
  if (!raw) return [];
  try {
    return JSON.parse(raw) as Violation[];
  } catch {
    return [{ location: [], severity: "Error", code: "unparsed", message: raw }];
  }
}

/** Violations of the server's answer (not of our request). */
export const responseViolations = (a: Answer) => a.violations.filter((v) => v.location[0] === "response");
export const requestViolations = (a: Answer) => a.violations.filter((v) => v.location[0] === "request");

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, headers: res.headers, text, json, violations: violationsOf(res.headers) };
}

export interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  token?: string;
}

/** The same request to one of: the strict Prism, the observing Prism, the gateway itself. */
export async function send(to: "prism" | "observer" | "gateway", path: string, init: Init = {}): Promise<Answer> {
  const origin = { prism: env.prismUrl, observer: env.observerUrl, gateway: env.gatewayUrl }[to];
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${origin}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body,
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
  });
  return answer(res);
}

/** On a failing test: the tail of both Prism logs, where each violation is explained. Call inside a describe. */
export function printPrismOnFailure() {
  beforeEach(({ onTestFailed }) =>
    onTestFailed(() => {
      for (const [name, file] of [
        ["prism --errors", env.prismLog],
        ["prism (observer)", env.observerLog],
      ] as const) {
        const lines = readFileSync(file, "utf8").split("\n");
        console.error(`--- ${name}, last 60 lines ---\n${lines.slice(-60).join("\n")}`);
      }
    }),
  );
}

/**
 * The typed client, its base URL the strict Prism, recording every exchange. Each client is one device with its own
 * key. DPoP: the client signs its refresh for the URL it calls (Prism's), but the gateway sees itself called at
 * its own origin (Prism forwards there, without the Host header) and rightly refuses a proof for another one. A
 * transparent proxy keeps the origin; this one cannot, so the proof is re-signed by the same device key for the
 * URL the gateway sees. Everything else of the request passes Prism unchanged.
 */
export function contractClient() {
  const exchanges: Exchange[] = [];
  const kormo: KormoClient = createKormoClient({
    baseUrl: env.prismUrl,
    retry: { delayMs: 0 },
    fetch: async (request) => {
      let sent = request;
      const key = request.headers.has("dpop") ? (await kormo.session())?.deviceKey : undefined;
      if (key) {
        const url = new URL(request.url);
        const headers = new Headers(request.headers);
        headers.set("dpop", await dpopProof(key, request.method, `${env.gatewayUrl}${url.pathname}`));
        sent = new Request(request, { headers });
      }
      const res = await fetch(sent);
      const { pathname } = new URL(request.url);
      exchanges.push({ method: request.method, path: pathname, ...(await answer(res.clone())) });
      return res;
    },
  });
  return { kormo, exchanges };
}

/** A fresh, valid, never-used Bangladeshi mobile number (so the 60 s OTP resend limit never applies). */
export function freshPhone(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] as number;
  return `+8801${3 + (n % 7)}${String(n % 100_000_000).padStart(8, "0")}`;
}

/** The code the gateway texted `phone`, read from the SMS simulator's inbox (it travels by queue: poll). */
export async function smsCode(phone: string): Promise<string> {
  const msisdn = phone.replace(/^\+/, "");
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const res = await fetch(`${env.smsUrl}/__sim/messages?msisdn=${msisdn}`);
    const { messages } = (await res.json()) as { messages: { sms: string }[] };
    const code = messages.at(-1)?.sms.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS reached ${msisdn} within 15 s`);
}

/** SQL on the suite's own database, for what no endpoint does (KYC approval's outcome, moving a start time). */
export async function sql(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** An hour-aligned window `hoursAhead` from now, `hours` long, as ISO strings. */
export function window(hoursAhead: number, hours = 2): { start_date: string; end_date: string } {
  const start = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + hoursAhead * 3_600_000;
  return { start_date: new Date(start).toISOString(), end_date: new Date(start + hours * 3_600_000).toISOString() };
}
