// Turns each operation of the served OpenAPI document into a fast-check arbitrary of HTTP requests (valid, mutated and
// garbage), and a request spec into a concrete Request, forging cursors from real ones where a list has a next page.
import fc from "fast-check";
import {
  applyMutations,
  CONTROL_CHARS,
  HOSTILE_IDS,
  HOSTILE_NUMBERS,
  type Json,
  laterIso,
  mutationsFor,
  type Schema,
  SchemaArbitraries,
} from "./schema-arbitraries";

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  /** "POST /booking/bookings/{id}/cancel" */
  key: string;
  method: string;
  template: string;
  parameters: Parameter[];
  body?: { required: boolean; schema: Schema };
  security: "none" | "bearer" | "refresh";
  documentedStatuses: number[];
}

const METHODS = ["get", "put", "post", "patch", "delete"];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const schemes = (op.security ?? []).flatMap((r) => Object.keys(r));
      const json = op.requestBody?.content["application/json"];
      ops.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        parameters: op.parameters ?? [],
        body: json ? { required: op.requestBody?.required ?? false, schema: json.schema } : undefined,
        security: schemes.includes("bearerAuth") ? "bearer" : schemes.includes("refreshToken") ? "refresh" : "none",
        documentedStatuses: Object.keys(op.responses).map(Number),
      });
    }
  }
  return ops;
}

/** Who the request claims to be. "disposable" is a fresh session, for operations that end or rotate sessions. */
export type Caller = "none" | "customer" | "provider" | "admin" | "disposable" | { junk: string };

export type BodySpec =
  | { kind: "none" }
  | { kind: "json"; value: Json }
  | { kind: "raw"; text: string }
  | { kind: "oversized"; bytes: number };

/** A generated request before the fixtures (tokens, cursors) are filled in. */
export interface RequestSpec {
  mode: "valid" | "mutant" | "garbage";
  caller: Caller;
  /** Raw, already percent-encoded path segments by parameter name. */
  path: Record<string, string>;
  /** Raw, already percent-encoded query pairs; a forged cursor is filled in when the request is sent. */
  query: [string, string][];
  forgeCursor?: Json[];
  headers: Record<string, string>;
  contentType: string | null;
  body: BodySpec;
}

/** Ids and tokens the fixtures created, so that generated requests reach real rows and authorized handlers. */
export interface Known {
  /** Valid values by property or parameter name (provider_id, service_type, …). */
  hints: Record<string, Json[]>;
  bookingIds: number[];
  providerIds: number[];
  reviewIds: number[];
  pushTokens: string[];
}

const JUNK_TOKENS = [
  "Bearer ",
  "Bearer x",
  "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.",
  "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
  "Bearer kmr_not-a-refresh-token",
  "Basic YWRtaW46YWRtaW4=",
  `Bearer ${"a".repeat(8000)}`,
  "bearer\tkmr_x",
];

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "application/merge-patch+json",
  "application/xml",
  "",
  "*/*",
];

const BAD_JSON = [
  "",
  "{",
  "}",
  '{"a":}',
  '{"a":1,}',
  "[",
  "null",
  "[]",
  "0",
  '"text"',
  "true",
  "\u0000",
  "\ufeff{}",
  '{"a":1e999}',
  '{"a":-1e999}',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"role":"admin"}}',
  '{"a":1,"a":2}',
  "{'a':1}",
  "NaN",
  "<xml/>",
  `{"a":"${"\\\\".repeat(1000)}"}`,
];

const deepNesting = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const ACCEPT_LANGUAGES = ["bn", "en", "bn-BD, en;q=0.8", "xx", "*", "en;q=abc", "a".repeat(300)];

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Percent-encodes like a client would; lone surrogates (which cannot be encoded) become U+FFFD first. */
/** Path placeholders filled in when the request is sent. */
export const FRESH_BOOKING = "{fresh-booking}";
export const SESSION_ID = "{session}";

/** Decodes a query value like a server would, keeping malformed percent-encoding as it is. */
const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
};

const encode = (s: string) => encodeURIComponent(s.replace(LONE_SURROGATE, "\ufffd"));

const QUERY_WINDOWS: [string, string][] = [
  ["start", "end"],
  ["from", "to"],
];

/** Sets (or adds) `end`/`to` a few hours after an ordinary `start`/`from`, so window checks pass. */
function orderQueryWindows(pairs: [string, string][], hours: number): [string, string][] {
  const out = pairs.map((p): [string, string] => [p[0], p[1]]);
  for (const [from, to] of QUERY_WINDOWS) {
    const start = out.find(([k]) => k === from);
    const t = start ? Date.parse(decode(start[1])) : Number.NaN;
    const later = laterIso(t, hours);
    if (!later) continue;
    const end = encodeURIComponent(later);
    const at = out.findIndex(([k]) => k === to);
    if (at >= 0) out[at] = [to, end];
    else out.push([to, end]);
  }
  return out;
}

/** Per-operation arbitrary of request specs. */
export class RequestArbitraries {
  private readonly arbs: SchemaArbitraries;

  constructor(
    doc: OpenApiDocument,
    private readonly known: Known,
  ) {
    this.arbs = new SchemaArbitraries(doc.components?.schemas ?? {}, known.hints);
  }

  /** Operations that log out, revoke or rotate sessions get a throwaway session so the fixtures stay signed in. */
  endsSessions(op: Operation): boolean {
    return op.security !== "none" && op.template.startsWith("/auth/") && op.method !== "GET";
  }

  private caller(op: Operation): fc.Arbitrary<Caller> {
    const junk = fc.constantFrom(...JUNK_TOKENS).map((junk): Caller => ({ junk }));
    if (op.security === "none") {
      return fc.oneof(
        { arbitrary: fc.constant<Caller>("none"), weight: 4 },
        { arbitrary: fc.constantFrom<Caller>("customer", "provider", "admin"), weight: 1 },
        { arbitrary: junk, weight: 1 },
      );
    }
    if (this.endsSessions(op)) {
      return fc.oneof(
        { arbitrary: fc.constant<Caller>("disposable"), weight: 6 },
        { arbitrary: fc.constant<Caller>("none"), weight: 1 },
        { arbitrary: junk, weight: 1 },
      );
    }
    return fc.oneof(
      { arbitrary: fc.constantFrom<Caller>("customer", "provider", "admin"), weight: 8 },
      { arbitrary: fc.constant<Caller>("none"), weight: 1 },
      { arbitrary: junk, weight: 1 },
    );
  }

  /** Ids that exist for this path: bookings under /bookings/, providers under /providers/, reviews under /reviews/. */
  private knownIds(op: Operation, name: string): string[] {
    const before = op.template.split(`/{${name}}`)[0]?.split("/").pop();
    const small = ["1", "2", "3"];
    // A booking state machine step on a fixture booking succeeds once; "{fresh}" gets a new booking in the right state.
    if (before === "bookings" && op.template.startsWith("/booking/") && op.method === "POST") {
      return [FRESH_BOOKING, FRESH_BOOKING, FRESH_BOOKING, ...this.known.bookingIds.map(String), ...small];
    }
    if (before === "bookings") return [...this.known.bookingIds.map(String), ...small];
    if (before === "sessions") return [SESSION_ID];
    if (before === "providers") return [...this.known.providerIds.map(String), ...small];
    if (before === "reviews") return [...this.known.reviewIds.map(String), ...small];
    if (before === "devices") return this.known.pushTokens.map(encode);
    return small;
  }

  private paramValue(p: Parameter, op: Operation, valid: boolean): fc.Arbitrary<string> {
    const schema = this.arbs.resolve(p.schema ?? {});
    const asText = (v: Json) => (typeof v === "string" ? v : JSON.stringify(v));
    // Query strings carry many independent parameters (search has eleven): known-good values must dominate there.
    const ok = this.arbs.named(p.name, schema, 0, p.in === "query" ? 12 : 3).map((v) => encode(asText(v)));
    if (p.in === "path") {
      const known = this.knownIds(op, p.name);
      const hostile = fc.oneof(
        fc.constantFrom(...HOSTILE_IDS),
        this.arbs.nastyString(1, 40).map(encode),
        this.arbs.invalid(schema).map((v) => encode(asText(v))),
      );
      return valid
        ? fc.oneof(
            { arbitrary: known.length ? fc.constantFrom(...known) : ok, weight: 3 },
            { arbitrary: ok, weight: 1 },
          )
        : hostile;
    }
    if (!valid) {
      return fc.oneof(
        this.arbs.invalid(schema).map((v) => encode(asText(v))),
        fc.constantFrom("%00", "1%00", "%", "%zz", "%C0%80", "a%00b", "", "+1", "0x1", "1e0", "%201%20", "-1", "1.5"),
        fc.constantFrom(...CONTROL_CHARS).map(encode),
      );
    }
    return ok;
  }

  private query(op: Operation, mode: RequestSpec["mode"]): fc.Arbitrary<[string, string][]> {
    const params = op.parameters.filter((p) => p.in === "query");
    // A random cursor is always refused; valid requests leave it out (forged cursors are filled in at send time).
    const pairs = params
      .filter((p) => mode !== "valid" || p.name !== "cursor")
      .map((p) => {
        const value =
          mode === "valid"
            ? this.paramValue(p, op, true)
            : fc.oneof(this.paramValue(p, op, true), this.paramValue(p, op, false));
        // In valid requests, parameters with known-good values are always sent: search needs lat and lng together.
        const always = p.required || (mode === "valid" && p.name in this.known.hints);
        const present = always ? fc.constant(true) : fc.constantFrom(true, true, true, false);
        const times = mode === "valid" ? fc.constant(1) : fc.constantFrom(1, 1, 1, 2);
        return fc
          .tuple(present, value, times)
          .map(([on, v, times]): [string, string][] => (on ? Array.from({ length: times }, () => [p.name, v]) : []));
      });
    const extra = fc.array(
      fc.tuple(fc.constantFrom("x", "__proto__", "lat[]", "%00", "role", "user_id"), fc.constantFrom("1", "%00", "")),
      { maxLength: mode === "valid" ? 0 : 2 },
    );
    return fc
      .tuple(fc.tuple(...pairs), extra, fc.integer({ min: 1, max: 6 }), fc.constantFrom(true, true, true, false))
      .map(([lists, more, hours, order]) => {
        const all = [...lists.flat(), ...more];
        return order ? orderQueryWindows(all, hours) : all;
      });
  }

  private headers(op: Operation, mode: RequestSpec["mode"]): fc.Arbitrary<Record<string, string>> {
    const idem = op.parameters.find((p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key");
    const idemArb: fc.Arbitrary<string | undefined> = idem
      ? mode === "valid"
        ? fc.uuid().map((u) => `fuzz-${u}`)
        : fc.oneof(
            fc.uuid().map((u) => `fuzz-${u}`),
            fc.constant(undefined),
            fc.constantFrom("short", "a b c d e f g", "x".repeat(300), "é".repeat(10), "\u00ff".repeat(9), "!!!!!!!!"),
          )
      : fc.constant(undefined);
    return fc
      .tuple(
        idemArb,
        fc.option(fc.constantFrom(...ACCEPT_LANGUAGES), { nil: undefined }),
        fc.option(fc.constantFrom("x".repeat(200), "<script>", "fuzz-request-id-0001"), { nil: undefined }),
      )
      .map(([key, lang, rid]) => {
        const h: Record<string, string> = {};
        if (key !== undefined) h["idempotency-key"] = key;
        if (lang !== undefined) h["accept-language"] = lang;
        if (rid !== undefined) h["x-request-id"] = rid;
        return h;
      });
  }

  private body(op: Operation, mode: RequestSpec["mode"]): fc.Arbitrary<BodySpec> {
    const canHaveBody = op.method !== "GET";
    if (!canHaveBody) return fc.constant({ kind: "none" });
    const schema: Schema = op.body?.schema ?? { type: "object", properties: {} };
    const valid = this.arbs.valid(schema);
    if (mode === "valid") {
      if (!op.body) return fc.constant({ kind: "none" });
      return valid.map((value) => ({ kind: "json", value }));
    }
    if (mode === "mutant") {
      return fc
        .tuple(valid, fc.array(mutationsFor(this.arbs, schema), { minLength: 1, maxLength: 3 }))
        .map(([value, ms]) => ({ kind: "json", value: applyMutations(value, ms) }));
    }
    return fc.oneof(
      fc.constant<BodySpec>({ kind: "none" }),
      fc.constantFrom(...BAD_JSON).map((text): BodySpec => ({ kind: "raw", text })),
      fc.constantFrom(10, 1_000, 10_000, 100_000).map((d): BodySpec => ({ kind: "raw", text: deepNesting(d) })),
      fc.constantFrom(10, 1_000, 10_000).map((d): BodySpec => ({ kind: "raw", text: deepObject(d) })),
      fc.constantFrom(200_000, 300_000, 2_000_000).map((bytes): BodySpec => ({ kind: "oversized", bytes })),
      valid.map((value): BodySpec => ({ kind: "json", value })),
    );
  }

  /** A cursor: junk, base64 of arbitrary JSON, or (filled in at send time) a real cursor with its numbers swapped. */
  private cursorForgery(): fc.Arbitrary<Json[]> {
    const n = fc.oneof(
      fc.constantFrom(...HOSTILE_NUMBERS) as fc.Arbitrary<Json>,
      fc.double({ noNaN: true, noDefaultInfinity: true }) as fc.Arbitrary<Json>,
      fc.constantFrom<Json>("1", "1.5", null, true, [], {}, "\u0000"),
    );
    return fc.array(n, { minLength: 1, maxLength: 4 });
  }

  spec(op: Operation): fc.Arbitrary<RequestSpec> {
    const pathParams = op.parameters.filter((p) => p.in === "path");
    return fc.constantFrom<RequestSpec["mode"]>("valid", "valid", "mutant", "mutant", "garbage").chain((mode) => {
      const path = fc.tuple(
        ...pathParams.map((p) =>
          (mode === "valid"
            ? this.paramValue(p, op, true)
            : fc.oneof(this.paramValue(p, op, true), this.paramValue(p, op, false))
          ).map((v): [string, string] => [p.name, v]),
        ),
      );
      const hasCursor = op.parameters.some((p) => p.in === "query" && p.name === "cursor");
      const forge: fc.Arbitrary<Json[] | undefined> = hasCursor
        ? fc.option(this.cursorForgery(), { nil: undefined, freq: 2 })
        : fc.constant(undefined);
      const contentType: fc.Arbitrary<string | null> =
        mode === "garbage"
          ? fc.oneof(fc.constant("application/json"), fc.constant(null), fc.constantFrom(...CONTENT_TYPES))
          : fc.constant("application/json");
      return fc
        .record({
          caller: this.caller(op),
          path,
          query: this.query(op, mode),
          forge,
          headers: this.headers(op, mode),
          contentType,
          body: this.body(op, mode),
        })
        .map(
          (r): RequestSpec => ({
            mode,
            caller: r.caller,
            path: Object.fromEntries(r.path),
            query: r.query,
            ...(r.forge ? { forgeCursor: r.forge } : {}),
            headers: r.headers,
            contentType: r.contentType,
            body: r.body,
          }),
        );
    });
  }
}

/** What is actually sent, printed verbatim on failure. */
export interface ConcreteRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export function pathOf(op: Operation, spec: RequestSpec, query = spec.query): string {
  let path = op.template;
  for (const [name, value] of Object.entries(spec.path)) path = path.replace(`{${name}}`, value);
  const qs = query.map(([k, v]) => `${k}=${v}`).join("&");
  return qs ? `${path}?${qs}` : path;
}

export function bodyText(body: BodySpec): string | undefined {
  if (body.kind === "none") return undefined;
  if (body.kind === "raw") return body.text;
  if (body.kind === "oversized") return JSON.stringify({ filler: "x".repeat(body.bytes) });
  return JSON.stringify(body.value);
}

const b64url = {
  decode: (s: string) => {
    const bin = atob(
      s
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(s.length / 4) * 4, "="),
    );
    return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
  },
  encode: (s: string) => {
    const bytes = new TextEncoder().encode(s);
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  },
};

/** Replaces the numbers of a decoded cursor, in order, with the forged ones (cycling). */
export function forgeCursor(real: string, numbers: Json[]): string {
  let i = 0;
  const swap = (v: unknown): unknown => {
    if (typeof v === "number") return numbers[i++ % numbers.length];
    if (Array.isArray(v)) return v.map(swap);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
    return v;
  };
  try {
    return b64url.encode(JSON.stringify(swap(JSON.parse(b64url.decode(real)))));
  } catch {
    return b64url.encode(JSON.stringify({ q: "forged", a: numbers }));
  }
}

function classesOf(text: string): string[] {
  const out: string[] = [];
  if (text.includes("\u0000")) out.push("NUL");
  if (CONTROL_CHARS.slice(1).some((c) => text.includes(c))) out.push("control-char");
  if (new RegExp(LONE_SURROGATE.source).test(text)) out.push("lone-surrogate");
  if (/^0000-\d\d-\d\d/.test(text)) out.push("year-0000");
  if (/^[+-]\d{6}-|^9999-12-31/.test(text)) out.push("extreme-year");
  return out;
}

function leaves(value: unknown, at: string, out: [string, string][]): void {
  if (typeof value === "string") out.push([at, value]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leaves(v, `${at}.${i}`, out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) leaves(v, `${at}.${k}`, out);
}

/** The input classes a request carries and where (e.g. "NUL@body.address", "forged-cursor"), for grouping failures. */
export function describeFeatures(op: Operation, req: ConcreteRequest, spec: RequestSpec): string[] {
  const features = new Set<string>([`mode:${spec.mode}`]);
  const strings: [string, string][] = [];
  const [path = "", qs = ""] = req.url.split("?");
  const segments = path.split("/");
  op.template.split("/").forEach((seg, i) => {
    if (seg.startsWith("{")) strings.push([`path.${seg.slice(1, -1)}`, decode(segments[i] ?? "")]);
  });
  for (const pair of qs ? qs.split("&") : []) {
    const [k = "", v = ""] = pair.split("=");
    strings.push([`query.${decode(k)}`, decode(v)]);
    if (/%(?![0-9a-f]{2})/i.test(v)) features.add(`bad-percent-encoding@query.${decode(k)}`);
  }
  for (const [k, v] of Object.entries(req.headers)) strings.push([`header.${k}`, v]);
  if (spec.body.kind === "json") leaves(spec.body.value, "body", strings);
  for (const [at, text] of strings) for (const c of classesOf(text)) features.add(`${c}@${at}`);
  if (spec.forgeCursor) features.add("forged-cursor");
  if (spec.body.kind === "raw") features.add("raw-body");
  if (spec.body.kind === "oversized") features.add("oversized");
  if (spec.contentType !== "application/json") features.add("content-type");
  if (typeof spec.caller === "object") features.add("junk-token");
  return [...features].sort();
}
