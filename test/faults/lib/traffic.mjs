// Users, providers and booking journeys for the fault suite, and the HTTP client that classifies every answer.
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { ALWAYS, storedWeekRanges, weeklyRanges } from "../../../lib/availability.ts";

export const TEST_CODE = "123456";
/** Longer than any answer may take (gateways are given up on after 1.5 s): a request still open then is a hang. */
export const REQUEST_TIMEOUT_MS = 15_000;
const RETRIES = 6;

const phone = (n) => `+88017110${String(n).padStart(5, "0")}`;

/** Customers and providers, each with one push device, seeded straight into Postgres. */
export function fixturePlan({ customers, providers }) {
  const people = [
    ...Array.from({ length: customers }, (_, i) => ({ role: "customer", phone: phone(i + 1) })),
    ...Array.from({ length: providers }, (_, i) => ({ role: "provider", phone: phone(500 + i) })),
  ];
  // Numbers used once each for a login while Redis is down (the per-IP OTP limit, 60 in 15 minutes, bounds them).
  const loginOnly = Array.from({ length: 30 }, (_, i) => phone(900 + i));
  const numbers = [...people.map((p) => p.phone), ...loginOnly];
  return { people, loginOnly, testNumbers: numbers.map((n) => `${n}:${TEST_CODE}`).join(",") };
}

export async function seedFixtures(databaseUrl, people) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const out = [];
    for (const p of people) {
      const { rows } = await c.query(
        "INSERT INTO users (phone, role, name, lang) VALUES ($1, $2, $3, 'en') RETURNING id::int AS id",
        [p.phone, p.role, `Faults ${p.role}`],
      );
      const userId = rows[0].id;
      const pushToken = `faults-${userId}-${randomUUID()}`;
      await c.query("INSERT INTO user_devices (push_token, user_id, platform) VALUES ($1, $2, 'android')", [
        pushToken,
        userId,
      ]);
      let providerId;
      if (p.role === "provider") {
        const r = await c.query(
          `INSERT INTO providers (user_id, display_name, location, service_radius_km, verification_status, weekly_schedule)
           VALUES ($1, 'Faults Provider', ST_SetSRID(ST_MakePoint(90.4152, 23.7925), 4326)::geography, 50, 'verified', $2)
           RETURNING id::int AS id`,
          [userId, JSON.stringify(ALWAYS)],
        );
        providerId = r.rows[0].id;
        await c.query(
          "INSERT INTO provider_services (provider_id, service_type, price_poisha, unit) VALUES ($1, 'driver', 25000, 'hour')",
          [providerId],
        );
        for (const [lo, hi] of storedWeekRanges(weeklyRanges(ALWAYS))) {
          await c.query("INSERT INTO provider_schedule (provider_id, week_minutes) VALUES ($1, int4range($2, $3))", [
            providerId,
            lo,
            hi,
          ]);
        }
      }
      out.push({ ...p, userId, providerId, pushToken, pushHash: sha256Hex(`push:${pushToken}`) });
    }
    return out;
  } finally {
    await c.end();
  }
}

const sha256Hex = (s) => createHash("sha256").update(s).digest("hex");

export async function logIn(base, person) {
  const post = async (path, body) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${path} for a fixture user answered ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await post("/auth/otp/request", { phone: person.phone });
  const s = await post("/auth/otp/verify", {
    phone: person.phone,
    code: TEST_CODE,
    device_id: `faults-${randomUUID()}`,
    platform: "web",
  });
  person.token = s.access_token;
}

/** Per-fault tallies; every request is counted once, retries included. */
export function newFigures(name) {
  return { name, sent: 0, ok: 0, s503: 0, other4xx: 0, s5xx: 0, hangs: 0, journeys: 0, bookings: new Set() };
}

const isErrorBody = (b) =>
  b &&
  typeof b.error === "object" &&
  typeof b.error.code === "string" &&
  typeof b.error.message === "string" &&
  typeof b.error.request_id === "string";

/**
 * One HTTP request, bounded in time, classified into the figures. Findings record what was sent, what came back
 * and what was expected, so a failure can be replayed by hand.
 */
async function send(ctx, fig, { label, token, path, body, key, method = "POST" }) {
  fig.sent++;
  const started = Date.now();
  let res;
  let text = "";
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers["idempotency-key"] = key;
  try {
    res = await fetch(`${ctx.base}${path}`, {
      method,
      headers,
      ...(method === "GET" ? {} : { body: JSON.stringify(body ?? {}) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const hang = err?.name === "TimeoutError";
    if (hang) fig.hangs++;
    else fig.s5xx++; // the connection itself failed: no answer at all is worse than a 500
    ctx.finding(fig.name, `${label}: ${method} ${path} (key ${key}) got no answer (${hang ? "hang" : err?.message})`, {
      expected: "an answer within 15 s: 2xx or a 503 JSON error",
    });
    return { status: 0, body: null, ms: Date.now() - started };
  }
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  const status = res.status;
  if (status >= 200 && status < 300) fig.ok++;
  else if (status === 503) fig.s503++;
  else if (status >= 500) fig.s5xx++;
  else fig.other4xx++;
  if (status >= 400 && !isErrorBody(json)) {
    ctx.finding(
      fig.name,
      `${label}: ${method} ${path} answered ${status} without the error shape: ${text.slice(0, 200)}`,
      {
        expected: '{"error":{"code","message","request_id"}}',
      },
    );
  }
  if (status >= 500 && status !== 503) {
    ctx.finding(
      fig.name,
      `${label}: ${method} ${path} (key ${key ?? "none"}) answered ${status} ${text.slice(0, 200)}`,
      {
        expected: "2xx, or 503 dependency_unavailable while the fault lasts",
      },
    );
  }
  return { status, body: json, ms: Date.now() - started, replayed: res.headers.get("idempotent-replayed") === "true" };
}

/**
 * A step with an Idempotency-Key: sent once; when it fails for want of a dependency (503, 5xx, no answer), sent
 * again with the same key after the fault is over, until it answers something else. The client's view of the
 * outcome is kept so the replay check can ask again later and compare.
 */
async function step(ctx, fig, phase, req, expect) {
  const key = req.method === "GET" || req.noKey ? undefined : randomUUID();
  let r = await send(ctx, fig, { ...req, key });
  for (let i = 0; i < RETRIES && (r.status === 0 || r.status >= 500); i++) {
    await phase.recovered;
    await new Promise((res) => setTimeout(res, 400 * (i + 1)));
    r = await send(ctx, fig, { ...req, label: `${req.label} (retry ${i + 1}, same key)`, key });
  }
  if (!expect.includes(r.status)) {
    if (req.bookingId) ctx.journeys.get(req.bookingId).unfinished = true;
    ctx.finding(
      fig.name,
      `${req.label}: ${req.method ?? "POST"} ${req.path} (key ${key ?? "none"}) ended at ${r.status} ${JSON.stringify(r.body)?.slice(0, 240)}`,
      { expected: `${expect.join(" or ")} once the fault is over (retried with the same key)` },
    );
    return null;
  }
  if (key) ctx.answered.push({ fault: fig.name, req: { ...req, key }, status: r.status, body: r.body });
  return r;
}

/**
 * What needs Redis: a search (its cache) and, while fresh test numbers last, a login (OTP codes and rate limits
 * live there). Booking steps alone would not notice Redis is gone.
 */
async function redisSide(ctx, fig, phase) {
  await step(
    ctx,
    fig,
    phase,
    { label: "search", method: "GET", path: "/search/providers?lat=23.7925&lng=90.4152&service_type=driver" },
    [200],
  );
  const who = ctx.loginOnly.pop();
  if (!who) return;
  const otp = await step(
    ctx,
    fig,
    phase,
    { label: "otp request", noKey: true, path: "/auth/otp/request", body: { phone: who } },
    [202],
  );
  if (!otp) return;
  const body = { phone: who, code: TEST_CODE, device_id: `faults-${randomUUID()}`, platform: "web" };
  await step(ctx, fig, phase, { label: "otp verify", noKey: true, path: "/auth/otp/verify", body }, [200]);
}

/** One journey of traffic; where the fault is Redis, its Redis-side requests run beside the booking steps. */
export async function journey(ctx, fig, phase, n) {
  fig.journeys++;
  await Promise.all([booking(ctx, fig, phase, n), phase.redis ? redisSide(ctx, fig, phase) : undefined]);
}

/** One booking from request to its end: create, accept, confirm, then cancel or complete (card and cash). */
async function booking(ctx, fig, phase, n) {
  const customer = ctx.customers[n % ctx.customers.length];
  const provider = ctx.providers[n % ctx.providers.length];
  const method = phase.method;
  const body = {
    provider_id: provider.providerId,
    service_type: "driver",
    ...ctx.slot(provider.providerId),
    payment_method: method,
    ...(method === "card" ? { payment_method_id: "pm_card_visa" } : {}),
  };
  const created = await step(
    ctx,
    fig,
    phase,
    { label: "create", token: customer.token, path: "/booking/bookings", body },
    [201],
  );
  if (!created) return;
  const id = created.body.id;
  fig.bookings.add(id);
  ctx.journeys.set(id, { fault: fig.name, method, steps: ["PENDING"] });
  const record = (status) => ctx.journeys.get(id).steps.push(status);
  const at = (action) => `/booking/bookings/${id}/${action}`;
  const as = (token, action, extra = {}) => ({ label: action, token, path: at(action), bookingId: id, ...extra });
  const accepted = await step(ctx, fig, phase, as(provider.token, "accept"), [200]);
  if (!accepted) return;
  record(accepted.body.status);
  const wallet = method === "bkash" || method === "nagad";
  const confirmed = await step(ctx, fig, phase, as(customer.token, "confirm"), [wallet ? 202 : 200]);
  if (!confirmed) return;
  if (wallet) return; // waits at the wallet page: the ledger check covers what the fault left behind
  record(confirmed.body.status);
  if (n % 2 === 0) {
    const canceled = await step(
      ctx,
      fig,
      phase,
      as(customer.token, "cancel", { body: { reason: "fault suite" } }),
      [200],
    );
    if (canceled) record(canceled.body.status);
    return;
  }
  // Completing needs the start to have passed: move this booking into the past, as the route tests do. Every moved
  // booking shifts by the same span, so they still never overlap each other, nor the ones still ahead.
  await ctx.sql(
    "UPDATE bookings SET start_date = start_date - interval '400 days', end_date = end_date - interval '400 days' WHERE id = $1",
    [id],
  );
  const completed = await step(ctx, fig, phase, as(provider.token, "complete"), [200]);
  if (completed) record(completed.body.status);
}

/**
 * Every step that succeeded, asked again under its key after the whole run: it must answer the same status and
 * the same booking (a replay), never run again.
 */
export async function replayAll(ctx, fig) {
  for (const a of ctx.answered) {
    const r = await send(ctx, fig, { ...a.req, label: `${a.req.label} (replay)` });
    const same = r.status === a.status && r.body?.id === a.body?.id && r.body?.status === a.body?.status;
    if (!same) {
      ctx.finding(
        a.fault,
        `${a.req.label} replay: POST ${a.req.path} (key ${a.req.key}) answered ${r.status} ${r.body?.status ?? ""} ` +
          `after ${a.status} ${a.body?.status ?? ""}`,
        { expected: "the stored answer again (same status, same booking state)" },
      );
    }
  }
}

/** Slots that never overlap: each provider's bookings go one after another, from two days ahead (the database is new). */
export function slotMaker() {
  const runStart = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 48 * 3_600_000;
  const next = new Map();
  return (providerId) => {
    const k = next.get(providerId) ?? 0;
    next.set(providerId, k + 1);
    const start = runStart + k * 3 * 3_600_000;
    return { start_date: new Date(start).toISOString(), end_date: new Date(start + 2 * 3_600_000).toISOString() };
  };
}
