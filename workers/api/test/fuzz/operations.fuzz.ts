// Property-based fuzzing of every operation in the served OpenAPI document: no input may produce a 5xx, a non-JSON or
// misshapen error, or a hang. Seeded (FUZZ_SEED) and bounded (FUZZ_RUNS per operation) so a failure replays exactly.
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { contractProblems } from "../contract";
import {
  BASE,
  call,
  idemKey,
  login,
  makeProvider,
  type ProviderFixture,
  plantCode,
  type Session,
  sql,
  window,
} from "../helpers";
import {
  bodyText,
  type ConcreteRequest,
  describeFeatures,
  FRESH_BOOKING,
  forgeCursor,
  type Known,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  pathOf,
  RequestArbitraries,
  type RequestSpec,
  SESSION_ID,
} from "./requests";

/** A binding the fuzz config passes through from the shell (FUZZ_SEED, FUZZ_RUNS, FUZZ_SHRINK), if set. */
function setting(name: string): string | undefined {
  const value: unknown = Reflect.get(env, name);
  return typeof value === "string" && value !== "" ? value : undefined;
}

const SEED = Number(setting("FUZZ_SEED") ?? 19_019);
const RUNS = Number(setting("FUZZ_RUNS") ?? 150);
const SHRINK = setting("FUZZ_SHRINK") === "1";
const VERBOSE = setting("FUZZ_VERBOSE") === "1";
const REQUEST_TIMEOUT_MS = 10_000;

/** One seed per operation, derived from the run's seed, so `-t "<operation>"` replays the same requests. */
function seedFor(op: Operation): number {
  let h = 0x811c9dc5 ^ SEED;
  for (const ch of op.key) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

const OTP_PHONE = "+8801700000003";
const OTP_CODE = "246810";

interface Fixtures {
  customer: Session;
  provider: Session;
  admin: Session;
  known: Known;
}

async function createFixtures(): Promise<Fixtures> {
  const customer = await login();
  const first = await makeProvider();
  // A second provider at the same spot, never signed in as: search has a next page to forge, bookings a stable target.
  const second = await makeProvider();
  const admin = await login();
  await sql("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
  const adminNow = await login(admin.phone);

  const bookingIds: number[] = [];
  for (const hoursAhead of [48, 72, 96]) {
    const res = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: idemKey(),
      body: { provider_id: first.providerId, service_type: "driver", ...window(hoursAhead, 2) },
    });
    if (res.status !== 201) throw new Error(`fixture booking: ${res.status} ${JSON.stringify(res.body)}`);
    bookingIds.push(res.body.id as number);
  }
  await call(`/booking/bookings/${bookingIds[0]}/accept`, { method: "POST", token: first.user.access });

  const pushToken = `fuzz-push-${crypto.randomUUID()}`;
  await call("/provider/devices/register", {
    method: "POST",
    token: first.user.access,
    body: { push_token: pushToken, platform: "android" },
  });

  const reviewIds = await pendingReview(adminNow);
  const hints = {
    provider_id: [first.providerId, second.providerId],
    service_type: ["driver"],
    // A test number (no verify limit) with a code planted before each verify: device fields reach the sessions table.
    phone: [OTP_PHONE, "01700-000003"],
    code: [OTP_CODE],
    lat: [23.7925],
    lng: [90.4152],
    radius_km: [5, 20],
    min_rating: [0, 4],
    max_price_poisha: [1_000_000],
    limit: [1, 2, 20],
    // Weekly slots and quiet hours are clock times.
    start: ["09:00"],
    end: ["17:00"],
  };
  return {
    customer,
    provider: first.user,
    admin: adminNow,
    known: {
      hints,
      bookingIds,
      providerIds: [first.providerId, second.providerId],
      reviewIds,
      pushTokens: [pushToken],
    },
  };
}

/** An unverified provider uploads and submits KYC documents, so review routes have a pending review to act on. */
async function pendingReview(admin: Session): Promise<number[]> {
  const p = await makeProvider({ verified: false, lat: -40 + Math.random(), lng: 20 + Math.random() });
  const uploads = await call("/provider/kyc/uploads", { method: "POST", token: p.user.access, body: {} });
  const documents: Record<string, string> = {};
  for (const [doc, u] of Object.entries(
    (uploads.body.uploads ?? {}) as Record<string, { url: string; key: string; headers: Record<string, string> }>,
  )) {
    await fetch(u.url, { method: "PUT", headers: u.headers, body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) });
    documents[doc] = u.key;
  }
  await call("/provider/kyc/submit", {
    method: "POST",
    token: p.user.access,
    body: { nid_number: "1990261234567", documents },
  });
  const list = await call("/provider/kyc/reviews", { token: admin.access });
  return ((list.body.reviews ?? []) as { id: number; provider_id: number }[])
    .filter((r) => r.provider_id === p.providerId)
    .map((r) => r.id);
}

interface Sent {
  request: ConcreteRequest;
  status: number;
  text: string;
  contentType: string;
  headers: Headers;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function send(req: ConcreteRequest): Promise<Sent> {
  const res = await withTimeout(
    (async () => {
      const r = await exports.default.fetch(`${BASE}${req.url}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return {
        status: r.status,
        text: await r.text(),
        contentType: r.headers.get("content-type") ?? "",
        headers: r.headers,
      };
    })(),
    REQUEST_TIMEOUT_MS,
    `${req.method} ${req.url.slice(0, 200)}`,
  );
  return { request: req, ...res };
}

/** One provider per booking-step operation, so other operations' edits (availability, profile) cannot break its bookings. */
const stepProviders = new Map<string, ProviderFixture>();
let slot = 0;

/** A new booking of the fixture customer, already in the state the operation's step starts from. */
async function freshBooking(op: Operation, fx: Fixtures): Promise<{ id: number; provider: Session } | undefined> {
  let p = stepProviders.get(op.key);
  if (!p) {
    p = await makeProvider();
    stepProviders.set(op.key, p);
  }
  slot++;
  const created = await call("/booking/bookings", {
    method: "POST",
    token: fx.customer.access,
    headers: idemKey(),
    body: { provider_id: p.providerId, service_type: "driver", ...window(24 + slot * 3, 2) },
  });
  if (created.status !== 201) return undefined;
  const id = created.body.id as number;
  const step = op.template.split("/").pop();
  if (step === "confirm" || step === "complete") {
    await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
  }
  if (step === "complete") {
    await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: fx.customer.access });
    // Started already, each in its own past hour: bookings of one provider may not overlap.
    await sql(
      `UPDATE bookings SET start_date = now() - make_interval(hours => $2::int * 2) - interval '1 minute',
              end_date = now() - make_interval(hours => $2::int * 2) + interval '59 minutes' WHERE id = $1`,
      [id, slot],
    );
  }
  return { id, provider: p.user };
}

/** Fills in tokens, fresh bookings and forged cursors: the spec is pure data, this is where fixtures meet it. */
async function materialize(op: Operation, spec: RequestSpec, fx: Fixtures): Promise<ConcreteRequest> {
  const headers: Record<string, string> = { ...spec.headers };
  if (op.template === "/auth/otp/verify") await plantCode(OTP_PHONE, OTP_CODE);
  const pathSpec = { ...spec, path: { ...spec.path } };
  let provider = fx.provider;
  for (const [name, value] of Object.entries(pathSpec.path)) {
    if (value !== FRESH_BOOKING) continue;
    const fresh = await freshBooking(op, fx).catch(() => undefined);
    pathSpec.path[name] = String(fresh?.id ?? fx.known.bookingIds[0]);
    if (fresh) provider = fresh.provider;
  }
  let session: Session | undefined;
  if (spec.caller === "customer") session = fx.customer;
  else if (spec.caller === "provider") session = provider;
  else if (spec.caller === "admin") session = fx.admin;
  else if (spec.caller === "disposable") session = await login();
  if (typeof spec.caller === "object") headers.authorization = spec.caller.junk;
  else if (session) headers.authorization = `Bearer ${op.security === "refresh" ? session.refresh : session.access}`;

  for (const [name, value] of Object.entries(pathSpec.path)) {
    if (value === SESSION_ID) pathSpec.path[name] = session?.sessionId ?? crypto.randomUUID();
  }
  let query = spec.query;
  if (spec.forgeCursor) {
    // Ask for a one-item page of the same query as the same caller, then swap the numbers of the real cursor.
    // The cursor is bound to its query (limit included), so the forged request repeats the page request exactly.
    const hasLimit = op.parameters.some((p) => p.in === "query" && p.name === "limit");
    // Optional filters without known-good values (a random status) would mostly leave no next page to forge from.
    const keep = (k: string) =>
      k in fx.known.hints || op.parameters.some((p) => p.in === "query" && p.name === k && p.required);
    const rest = query.filter(([k]) => k !== "cursor" && k !== "limit" && keep(k));
    const plain: [string, string][] = hasLimit ? [...rest, ["limit", "1"]] : rest;
    const first = await send({
      method: op.method,
      url: pathOf(op, pathSpec, plain),
      headers: { ...(headers.authorization ? { authorization: headers.authorization } : {}) },
    }).catch(() => undefined);
    let real = "";
    try {
      real = String((JSON.parse(first?.text ?? "{}") as { next_cursor?: unknown }).next_cursor ?? "");
    } catch {
      real = "";
    }
    query = [...plain, ["cursor", encodeURIComponent(forgeCursor(real, spec.forgeCursor))]];
  }
  const body = bodyText(spec.body);
  if (body !== undefined && spec.contentType !== null) headers["content-type"] = spec.contentType;
  return { method: op.method, url: pathOf(op, pathSpec, query), headers, ...(body === undefined ? {} : { body }) };
}

/** What is wrong with an answer, or nothing. */
function problemsOf(sent: Sent, errorCodes: string[]): string[] {
  const out: string[] = [];
  if (sent.status >= 500) out.push(`status ${sent.status}`);
  const isJson = sent.contentType.includes("application/json");
  let body: unknown;
  if (isJson || sent.status >= 400) {
    try {
      body = JSON.parse(sent.text);
    } catch {
      out.push(`body is not JSON (content-type "${sent.contentType}")`);
      return out;
    }
  }
  if (sent.status >= 400) {
    if (!isJson) out.push(`error content-type "${sent.contentType}"`);
    const shape = body as { error?: Record<string, unknown> } | null;
    const e = shape?.error;
    if (!shape || typeof shape !== "object" || Object.keys(shape).join() !== "error" || !e || typeof e !== "object") {
      out.push("error body is not {error:{...}}");
    } else {
      if (typeof e.code !== "string" || !errorCodes.includes(e.code)) out.push(`error.code ${JSON.stringify(e.code)}`);
      if (typeof e.message !== "string" || !e.message) out.push("error.message missing");
      if (typeof e.request_id !== "string" || !e.request_id) out.push("error.request_id missing");
      const extra = Object.keys(e).filter((k) => !["code", "message", "request_id", "details"].includes(k));
      if (extra.length) out.push(`error has extra keys ${extra.join(",")}`);
    }
  }
  // And the answer is one the document describes: status, headers and body schema.
  const { request, status, headers, text } = sent;
  out.push(...contractProblems(request.method, `${BASE}${request.url}`, { status, headers, body, text }));
  return out;
}

interface Failure {
  problems: string[];
  features: string[];
  request: ConcreteRequest;
  status: number;
  answer: string;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

function printRequest(r: ConcreteRequest): string {
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `    ${k}: ${clip(JSON.stringify(v), 200)}`)
    .join("\n");
  const body = r.body === undefined ? "" : `\n    body: ${clip(JSON.stringify(r.body), 1500)}`;
  return `  ${r.method} ${clip(r.url, 600)}\n${headers}${body}`;
}

function printFailure(op: Operation, f: Failure, count = 1): string {
  return [
    `✘ ${op.key} → ${f.problems.join("; ")}  [${f.features.join(", ")}]${count > 1 ? ` ×${count}` : ""}`,
    printRequest(f.request),
    `  answer: ${f.status} ${clip(f.answer, 300)}`,
  ].join("\n");
}

/** One line per distinct (problem, status, input class), with the smallest request that shows it. */
function report(op: Operation, failures: Failure[]): string {
  const groups = new Map<string, { sample: Failure; count: number }>();
  const size = (f: Failure) => f.request.url.length + (f.request.body?.length ?? 0);
  for (const f of failures) {
    const key = `${f.problems.join(";")}|${f.features.join(",")}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { sample: f, count: 1 });
    else {
      g.count++;
      if (size(f) < size(g.sample)) g.sample = f;
    }
  }
  const lines = [...groups.values()].map((g) => printFailure(op, g.sample, g.count));
  return [
    `${failures.length} failing request(s) in ${groups.size} class(es) for ${op.key}`,
    `replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npm run test:fuzz -- -t "${op.key}"`,
    ...lines,
  ].join("\n\n");
}

// The document is read at collection time from the built app, so each operation becomes its own test.
const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as OpenApiDocument & {
  components: { schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
};
const operations = operationsOf(doc);
const errorCodes = doc.components.schemas.Error.properties.error.properties.code.enum;

describe(`fuzzing every operation of /openapi.json (seed ${SEED}, ${RUNS} runs each)`, () => {
  let fx: Fixtures;
  let requests: RequestArbitraries;

  beforeAll(async () => {
    fx = await createFixtures();
    requests = new RequestArbitraries(doc, fx.known);
  }, 120_000);

  it("covers a document with every service in it", () => {
    const prefixes = new Set(operations.map((op) => op.template.split("/")[1]));
    expect([...prefixes].sort()).toEqual([
      "auth",
      "booking",
      "chat",
      "health",
      "notifications",
      "payments",
      "provider",
      "ready",
      "search",
    ]);
    expect(operations.length).toBeGreaterThanOrEqual(45);
  });

  it.each(operations.map((op) => [op.key, op] as const))(
    "%s answers every generated request without a 5xx, with JSON errors in the documented shape, in time",
    async (_key, op) => {
      const failures: Failure[] = [];
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requests.spec(op), async (spec) => {
          const request = await materialize(op, spec, fx);
          let sent: Sent;
          try {
            sent = await send(request);
          } catch (err) {
            sent = { request, status: 0, text: String(err), contentType: "", headers: new Headers() };
          }
          seen.set(sent.status, (seen.get(sent.status) ?? 0) + 1);
          if (VERBOSE)
            console.log(`${sent.status} ${request.method} ${clip(request.url, 300)} ${clip(sent.text, 300)}`);
          const problems = sent.status === 0 ? ["hang or transport failure"] : problemsOf(sent, errorCodes);
          if (problems.length === 0) return;
          const failure = {
            problems,
            features: describeFeatures(op, request, spec),
            request,
            status: sent.status,
            answer: sent.text,
          };
          failures.push(failure);
          if (SHRINK) throw new Error(printFailure(op, failure));
        }),
        { seed: seedFor(op), numRuns: RUNS },
      );
      // Coverage at a glance: which answers the generated requests got (2xx means a handler ran to the end).
      const statuses = [...seen].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      console.log(`fuzz ${op.key}: ${statuses.join(" ")}`);
      expect(failures.length, report(op, failures)).toBe(0);
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    },
    600_000,
  );
});
