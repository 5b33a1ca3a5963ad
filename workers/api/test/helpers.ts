// Test harness for the gateway in workerd: call the worker, log users in, reach Postgres and Redis like the app does.
import { env, exports } from "cloudflare:workers";
import type { Redis } from "@upstash/redis/cloudflare";
import { ALWAYS, storedWeekRanges, type WeeklySlot, weeklyRanges } from "../../../lib/availability";
import type { PaymentMethod, PriceUnit } from "../../../lib/enums";
import { createRedis } from "../../../platform/redis";
import { testSql } from "../../../test/sql";
import { issueOtp } from "../auth/otp";
import { assertContract } from "./contract";

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
  const method = init.method ?? "GET";
  // As a browser's first hop: a redirect (a wallet's return to the app) is the answer, not something to follow.
  const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: Json = {};
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
    parsed = (json ?? {}) as Json;
  } catch {
    parsed = { raw: text };
  }
  // Every answer a route test sees is checked against the committed OpenAPI document.
  assertContract(method, `${BASE}${path}`, { status: res.status, headers: res.headers, body: json, text });
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Redis as the app builds it. */
export function redis(): Redis {
  return createRedis({
    UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL as string,
    UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN as string,
  });
}

/** The API tests' one way to Postgres: SQL through the same Neon driver and bridge the app uses. */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return testSql<T>({ DATABASE_URL: env.DATABASE_URL as string, NEON_WS_PROXY: env.NEON_WS_PROXY }, text, params);
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

/** A fresh user made admin, signed in again so the token carries the role. */
export async function loginAdmin(): Promise<Session> {
  const s = await login();
  await sql("UPDATE users SET role = 'admin' WHERE id = $1", [s.userId]);
  return login(s.phone);
}

export function errorCode(body: Json): string | undefined {
  return (body.error as { code?: string } | undefined)?.code;
}

export interface ProviderFixture {
  providerId: number;
  user: Session;
}

/**
 * A provider owned by a freshly logged-in user, seeded straight into Postgres: verified by default, offering
 * `services`, at (lat, lng), available around the clock unless a weekly plan is given.
 */
export async function makeProvider(
  opts: {
    lat?: number;
    lng?: number;
    verified?: boolean;
    services?: { service_type: string; price_poisha: number; unit: PriceUnit }[];
    weekly?: WeeklySlot[];
    radiusKm?: number;
    rating?: number;
  } = {},
): Promise<ProviderFixture> {
  const user = await login();
  const [row] = await sql<{ id: string }>(
    `INSERT INTO providers (user_id, display_name, location, service_radius_km, verification_status, rating_avg, rating_count)
     VALUES ($1, 'Fixture Provider', ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography, $4, $5, $6, 10) RETURNING id`,
    [
      user.userId,
      opts.lat ?? 23.7925,
      opts.lng ?? 90.4152,
      opts.radiusKm ?? 50,
      opts.verified === false ? "unverified" : "verified",
      opts.rating ?? 4.5,
    ],
  );
  const providerId = Number(row?.id);
  await sql("UPDATE users SET role = 'provider' WHERE id = $1", [user.userId]);
  for (const s of opts.services ?? [{ service_type: "driver", price_poisha: 25_000, unit: "hour" }]) {
    await sql("INSERT INTO provider_services (provider_id, service_type, price_poisha, unit) VALUES ($1, $2, $3, $4)", [
      providerId,
      s.service_type,
      s.price_poisha,
      s.unit,
    ]);
  }
  await sql("UPDATE providers SET weekly_schedule = $2 WHERE id = $1", [
    providerId,
    JSON.stringify(opts.weekly ?? ALWAYS),
  ]);
  for (const [lo, hi] of storedWeekRanges(weeklyRanges(opts.weekly ?? ALWAYS))) {
    await sql("INSERT INTO provider_schedule (provider_id, week_minutes) VALUES ($1, int4range($2, $3))", [
      providerId,
      lo,
      hi,
    ]);
  }
  // The access token was minted before the role changed; log in again so it says "provider".
  const fresh = await login(user.phone);
  return { providerId, user: fresh };
}

/** An hour-aligned window `hoursAhead` from now, `hours` long, as ISO strings. */
export function window(hoursAhead: number, hours = 2): { start_date: string; end_date: string } {
  const start = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + hoursAhead * 3_600_000;
  return { start_date: new Date(start).toISOString(), end_date: new Date(start + hours * 3_600_000).toISOString() };
}

/** A fresh Idempotency-Key header. */
export const idemKey = (): Record<string, string> => ({ "idempotency-key": crypto.randomUUID() });

/** Moves a booking's window so that it has started: its provider may complete it now. */
export const startNow = (bookingId: number) =>
  sql(
    "UPDATE bookings SET start_date = now() - interval '1 minute', end_date = now() + interval '1 hour' WHERE id = $1",
    [bookingId],
  );

/**
 * A booking its provider has accepted, 2 hours of driving at 250 taka (500 taka) `hoursAhead` from now, paid by
 * `method` (a card with `pm`), with any other create fields in `body`: the customer's confirm is next.
 */
export async function acceptedBooking(
  method: PaymentMethod,
  {
    pm = "pm_card_visa",
    hoursAhead = 48,
    body = {},
    provider,
  }: { pm?: string; hoursAhead?: number; body?: Record<string, unknown>; provider?: ProviderFixture } = {},
) {
  const p = provider ?? (await makeProvider());
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
    body: {
      provider_id: p.providerId,
      service_type: "driver",
      payment_method: method,
      ...(method === "card" ? { payment_method_id: pm } : {}),
      ...window(hoursAhead, 2),
      ...body,
    },
  });
  if (created.status !== 201) throw new Error(`booking failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as number;
  const accepted = await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status}`);
  return { p, customer, id };
}

/** A booking's payments row (amounts as Postgres returns bigints: strings). */
export async function paymentOf(bookingId: number) {
  const rows = await sql<{
    status: string;
    amount_poisha: string;
    captured_poisha: string;
    refunded_poisha: string;
    gateway_ref: string | null;
    attempts: number;
    last_error: string | null;
  }>(
    `SELECT status, amount_poisha, captured_poisha, refunded_poisha, gateway_ref, attempts, last_error
       FROM payments WHERE booking_id = $1`,
    [bookingId],
  );
  return rows[0];
}

/** The kinds of a booking's payment history, in order. */
export async function paymentEventKinds(bookingId: number): Promise<string[]> {
  const rows = await sql<{ kind: string }>(
    "SELECT e.kind FROM payment_events e JOIN payments y ON y.id = e.payment_id WHERE y.booking_id = $1 ORDER BY e.id",
    [bookingId],
  );
  return rows.map((r) => r.kind);
}
