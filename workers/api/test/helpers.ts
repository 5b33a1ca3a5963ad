// Test harness for the gateway in workerd: call the worker, log users in, reach Postgres and Redis like the app does.

import { env, exports } from "cloudflare:workers";
import { Redis } from "@upstash/redis/cloudflare";
import { createPool } from "../../../db/client";
import { issueOtp } from "../auth/otp";

export const BASE = "http://api.test";

export type Json = Record<string, unknown>;

export async function call(
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  }
  const res = await exports.default.fetch(`${BASE}${path}`, { method: init.method ?? "GET", headers, body });
  const text = await res.text();
  let parsed: Json = {};
  try {
    parsed = text ? (JSON.parse(text) as Json) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function redis(): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL as string,
    token: env.UPSTASH_REDIS_REST_TOKEN as string,
    automaticDeserialization: false,
  });
}

/** Runs SQL through the same Neon driver and bridge the app uses. */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const pool = createPool({ DATABASE_URL: env.DATABASE_URL as string, NEON_WS_PROXY: env.NEON_WS_PROXY });
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

/** A fresh, valid, never-used Bangladeshi mobile number (not one of the fixed test numbers). */
export function freshPhone(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] as number;
  return `+8801${3 + (n % 7)}${String(n % 100_000_000).padStart(8, "0")}`;
}

/** Stands in for the SMS arriving: plants a known code exactly as /auth/otp/request would. */
export async function plantCode(phone: string, code = "246810"): Promise<string> {
  await issueOtp(redis(), env.OTP_HMAC_SECRET as string, phone, code);
  return code;
}

export interface Session {
  access: string;
  refresh: string;
  userId: number;
  sessionId: string;
  phone: string;
}

export async function login(
  phone = freshPhone(),
  device: { device_id?: string; platform?: string; device_key?: unknown } = {},
): Promise<Session> {
  const code = await plantCode(phone);
  const res = await call("/auth/otp/verify", {
    method: "POST",
    body: { phone, code, device_id: device.device_id ?? `dev-${crypto.randomUUID()}`, platform: "android", ...device },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const user = res.body.user as { id: number };
  return {
    access: res.body.access_token as string,
    refresh: res.body.refresh_token as string,
    userId: user.id,
    sessionId: res.body.session_id as string,
    phone,
  };
}

export function errorCode(body: Json): string | undefined {
  return (body.error as { code?: string } | undefined)?.code;
}
