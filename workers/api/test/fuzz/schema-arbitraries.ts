// fast-check arbitraries for JSON Schema nodes of the OpenAPI document: values that conform (some of them nasty) and
// values that do not, plus the catalogues of hostile strings, numbers, dates and ids the fuzz suite mixes in.
import fc from "fast-check";

/** The part of JSON Schema (OpenAPI 3.1) that the gateway's generated document uses. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  example?: unknown;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Characters that have no business in names, notes, tokens or reasons; NUL is the one Postgres text refuses. */
export const CONTROL_CHARS = ["\u0000", "\u0001", "\u0007", "\b", "\u000b", "\f", "\u001b", "\u007f", "\u0085"];

/** Strings that are valid JSON strings but hostile to storage, logs and display. */
const NASTY_FRAGMENTS = [
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  ...CONTROL_CHARS,
  "\r\n",
  "\t",
  "\u202e", // right-to-left override
  "\u200b", // zero-width space
  "\ufeff", // byte-order mark
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "😀",
  "ঌ্‌",
  "e\u0301", // decomposed é
  "%00",
  "'; DROP TABLE bookings; --",
  "\\",
  "\\u0000",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
];

/** Dates that are well-formed ISO 8601 but far outside any sensible booking, search or time-off window. */
export const EXTREME_DATES = [
  "0000-01-01T00:00:00Z",
  "0000-01-01T00:00:00.000Z",
  "0001-01-01T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "9999-12-31T23:59:59Z",
  "+099999-01-01T00:00:00.000Z",
  "-000001-01-01T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "2030-06-30T23:59:60Z",
  "2030-01-01T00:00:00.123456789Z",
  "2030-01-01T00:00:00+14:00",
  "2030-01-01T00:00:00-12:00",
];

/** Dates that are not dates at all, or not in the documented format. */
const MALFORMED_DATES = [
  "",
  "now",
  "2030-13-01T00:00:00Z",
  "2030-02-30T00:00:00Z",
  "2030-01-01",
  "2030-01-01 10:00:00",
  "1893456000",
  "2030-01-01T25:00:00Z",
  "99999-01-01T00:00:00Z",
  "2030-01-01T00:00:00\u0000Z",
];

/** Spellings of "1" and friends that a lenient parser accepts and a canonical one must not. */
export const HOSTILE_IDS = [
  "0x1",
  "1e0",
  "+1",
  "%201%20",
  "%2B1",
  "01",
  "1.0",
  "1.5",
  "-1",
  "0",
  "-0",
  "%00",
  "1%00",
  "%001",
  "NaN",
  "Infinity",
  "null",
  "undefined",
  "9007199254740993",
  "99999999999999999999999",
  "1e309",
  "%EF%BC%91", // fullwidth digit one
  "%D9%A1", // Arabic-Indic digit one
  "%E0%A7%A7", // Bengali digit one
  "..",
  "%2e%2e",
  "1%2F2",
  "%",
  "%zz",
  "%C0%AE",
  "a".repeat(5000),
];

/** Numbers that JSON can carry and handlers rarely expect. */
export const HOSTILE_NUMBERS: number[] = [
  0,
  -0,
  -1,
  0.5,
  1.5,
  -1.5,
  1e-300,
  5e-324,
  1e21,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
];

/** Values of every JSON type, for "wrong type" mutations. */
export const WRONG_TYPES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  "",
  "1",
  "1e0",
  "\u0000",
  "true",
  [],
  [1],
  [null],
  {},
  { a: 1 },
  { $gt: "" },
];

/** Keys a client might add hoping to be trusted: ownership, role, status, money and prototype keys. */
export const EXTRA_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "id",
  "user_id",
  "customer_id",
  "provider_id",
  "role",
  "status",
  "price_poisha",
  "verification_status",
  "is_admin",
  "x\u0000y",
  "",
];

/** The ISO time `hours` after epoch-ms `t`, if both are inside the range a Date can hold. */
export function laterIso(t: number, hours: number): string | undefined {
  const later = new Date(t + hours * 3_600_000);
  return Number.isFinite(later.getTime()) ? later.toISOString() : undefined;
}

/** Sets each window's end a few hours after its start when the start is an ordinary date. */
function orderWindows(value: Record<string, Json>, hours: number): Record<string, Json> {
  const out = { ...value };
  for (const [from, to] of WINDOWS) {
    const start = typeof out[from] === "string" ? Date.parse(out[from] as string) : Number.NaN;
    const end = laterIso(start, hours);
    if (to in out && end) out[to] = end;
  }
  return out;
}

const toDefault = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);

/** Pads or truncates a string (by UTF-16 units, as zod counts) into [min, max]. */
function fitLength(s: string, min: number, max: number): string {
  let out = s;
  while (out.length < min) out += "x";
  return out.length > max ? out.slice(0, max) : out;
}

/** Start/end property pairs that a valid request orders (end shortly after start) so window checks pass. */
const WINDOWS: [string, string][] = [
  ["start_date", "end_date"],
  ["start", "end"],
  ["from", "to"],
];

export class SchemaArbitraries {
  /**
   * @param hints values known to exist for a property name (a real provider id, an offered service type), mixed into
   *   valid values so that requests get past "not found" to the code that stores them.
   */
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly hints: Record<string, Json[]> = {},
  ) {}

  /** Valid values for a named property or parameter: its hints, mostly, or anything the schema allows. */
  named(name: string, schema: Schema, depth = 0, hintWeight = 3): fc.Arbitrary<Json> {
    const hinted = this.hints[name];
    const plain = this.valid(schema, depth);
    // A hint is for the plain field of that name: "start" of a weekly slot is "09:00", of a time-off a date-time.
    if (!hinted?.length || this.resolve(schema).format) return plain;
    return fc.oneof({ arbitrary: fc.constantFrom(...hinted), weight: hintWeight }, { arbitrary: plain, weight: 1 });
  }

  resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; s.$ref && i < 10; i++) {
      const name = s.$ref.replace("#/components/schemas/", "");
      const target = this.components[name];
      if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
      s = target;
    }
    return s;
  }

  private types(schema: Schema): string[] {
    if (Array.isArray(schema.type)) return schema.type;
    if (schema.type) return [schema.type];
    if (schema.properties) return ["object"];
    if (schema.items) return ["array"];
    return [];
  }

  /** A string that satisfies the schema's length (and is otherwise as hostile as text can be while staying a string). */
  nastyString(min = 0, max = 64): fc.Arbitrary<string> {
    const cap = Math.min(max, 600);
    return fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(...NASTY_FRAGMENTS),
        fc.string({ maxLength: 8, unit: "binary" }),
        fc.constantFrom(0, 1, 1, 1, cap),
      )
      .map(([a, nasty, b, fill]) => fitLength(fill === cap ? nasty.repeat(cap) : a + nasty + b, min, cap));
  }

  /** A value of the schema's type and within its bounds: mostly ordinary, sometimes nasty (NUL, extreme dates). */
  valid(schema: Schema, depth = 0): fc.Arbitrary<Json> {
    const s = this.resolve(schema);
    if (s.const !== undefined) return fc.constant(s.const as Json);
    if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
    if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf ?? []).map((x) => this.valid(x, depth + 1)));
    if (s.allOf) return this.valid(s.allOf[0] ?? {}, depth + 1);
    const types = this.types(s);
    if (types.length > 1) return fc.oneof(...types.map((t) => this.valid({ ...s, type: t }, depth)));
    const examples: Json[] = s.example === undefined ? [] : [s.example as Json];
    const withExample = (arb: fc.Arbitrary<Json>) =>
      examples.length
        ? fc.oneof({ arbitrary: fc.constantFrom(...examples), weight: 2 }, { arbitrary: arb, weight: 3 })
        : arb;
    switch (types[0]) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return withExample(this.integer(s));
      case "number":
        return withExample(this.number(s));
      case "string":
        return withExample(this.string(s));
      case "array": {
        const min = s.minItems ?? 0;
        const max = Math.max(min, Math.min(s.maxItems ?? 4, depth > 2 ? 1 : 4));
        return fc.array(this.valid(s.items ?? {}, depth + 1), { minLength: min, maxLength: max });
      }
      case "object": {
        const props = s.properties ?? {};
        const model: Record<string, fc.Arbitrary<Json>> = {};
        for (const [k, v] of Object.entries(props)) model[k] = this.named(k, v, depth + 1);
        const required = (s.required ?? []).filter((k) => k in props);
        const record = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, Json>>;
        return fc
          .tuple(record, fc.integer({ min: 1, max: 3 }), fc.boolean())
          .map(([value, hours, order]) => (order ? orderWindows(value, hours) : value));
      }
      default:
        return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
    }
  }

  private integer(s: Schema): fc.Arbitrary<Json> {
    const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : toDefault(s.minimum, -1_000_000);
    const max = Math.min(
      s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : toDefault(s.maximum, Number.MAX_SAFE_INTEGER),
      Number.MAX_SAFE_INTEGER,
    );
    const lo = Math.max(min, -Number.MAX_SAFE_INTEGER);
    return fc.oneof(
      { arbitrary: fc.integer({ min: lo, max: Math.min(max, lo + 1000) }), weight: 3 },
      { arbitrary: fc.integer({ min: lo, max }), weight: 1 },
      { arbitrary: fc.constantFrom(lo, max), weight: 1 },
    );
  }

  private number(s: Schema): fc.Arbitrary<Json> {
    const min = toDefault(s.minimum ?? s.exclusiveMinimum, -1e9);
    const max = toDefault(s.maximum ?? s.exclusiveMaximum, 1e9);
    const inside = (n: number) =>
      n >= min && n <= max && n !== s.exclusiveMinimum && n !== s.exclusiveMaximum && !Object.is(n, -0);
    return fc.oneof(
      { arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).filter(inside), weight: 3 },
      { arbitrary: fc.constantFrom(...[min, max, 5e-324, 1e-9, 0].filter(inside)).map((n) => n as Json), weight: 1 },
    );
  }

  private string(s: Schema): fc.Arbitrary<Json> {
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? 200;
    if (s.format === "date-time") return this.dateTime(true);
    if (s.format === "uuid") return fc.uuid();
    if (s.pattern) {
      const re = new RegExp(s.pattern);
      return fc.stringMatching(re).filter((x) => x.length >= min && x.length <= max);
    }
    return fc.oneof(
      { arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 40) }), weight: 2 },
      { arbitrary: this.nastyString(min, max), weight: 3 },
    );
  }

  /** ISO date-times: mostly inside the next weeks (so handlers get past validation), some at the edges of time. */
  dateTime(withExtremes: boolean): fc.Arbitrary<string> {
    const hour = 3_600_000;
    const base = Math.ceil(Date.now() / hour) * hour;
    const near = fc
      .oneof({ arbitrary: fc.integer({ min: 2, max: 24 * 40 }), weight: 4 }, fc.integer({ min: -48, max: 1 }))
      .map((h) => new Date(base + h * hour).toISOString());
    if (!withExtremes) return near;
    return fc.oneof({ arbitrary: near, weight: 3 }, { arbitrary: fc.constantFrom(...EXTREME_DATES), weight: 2 });
  }

  /** A value that breaks the schema: wrong type, out of range, too long, malformed. */
  invalid(schema: Schema): fc.Arbitrary<Json> {
    const s = this.resolve(schema);
    const types = this.types(s);
    const specific: fc.Arbitrary<Json>[] = [];
    if (types.includes("string") || s.enum) {
      const max = s.maxLength ?? 200;
      specific.push(
        fc.constant("x".repeat(max + 1)),
        fc.constant("\u0000".repeat(Math.min(max + 1, 10_000))),
        fc.constant("ঌ".repeat(Math.min(max * 2 + 1, 20_000))),
        fc.constant(" "),
        fc.constantFrom(...CONTROL_CHARS),
      );
      if (s.format === "date-time") specific.push(fc.constantFrom(...MALFORMED_DATES));
      if (s.pattern || s.enum) specific.push(fc.constantFrom("DRIVER", "driver\u0000", "a", "ক", "driver ", " driver"));
    }
    if (types.includes("integer") || types.includes("number")) {
      specific.push(fc.constantFrom(...HOSTILE_NUMBERS) as fc.Arbitrary<Json>);
      if (s.minimum !== undefined) specific.push(fc.constant(s.minimum - 1));
      if (s.maximum !== undefined) specific.push(fc.constant(s.maximum + 1), fc.constant(s.maximum * 1000));
      specific.push(fc.constantFrom("1", "1e0", "0x1", "+1", " 1 ", "NaN", "Infinity"));
    }
    if (types.includes("array")) {
      const big = Math.min((s.maxItems ?? 50) + 1, 500);
      specific.push(
        fc.constant(Array.from({ length: big }, () => null)),
        fc.array(fc.constantFrom(...WRONG_TYPES), { maxLength: 3 }),
      );
    }
    if (types.includes("object")) {
      specific.push(fc.constant([]), fc.constant("{}"), fc.dictionary(fc.constantFrom(...EXTRA_KEYS), fc.string()));
    }
    return fc.oneof(
      { arbitrary: fc.constantFrom(...WRONG_TYPES), weight: 2 },
      ...specific.map((arbitrary) => ({ arbitrary, weight: 1 })),
    );
  }

  /** Every place in a schema's values a mutation can hit: dotted paths with the schema found there. */
  locations(schema: Schema, prefix: string[] = [], depth = 0): { path: string[]; schema: Schema; required: boolean }[] {
    const s = this.resolve(schema);
    const out: { path: string[]; schema: Schema; required: boolean }[] = [];
    if (depth > 4) return out;
    const obj = s.properties ? s : (s.anyOf ?? s.oneOf ?? []).map((x) => this.resolve(x)).find((x) => x.properties);
    for (const [k, v] of Object.entries(obj?.properties ?? {})) {
      const path = [...prefix, k];
      out.push({ path, schema: v, required: (obj?.required ?? []).includes(k) });
      out.push(...this.locations(v, path, depth + 1));
    }
    const items = s.items ? this.resolve(s.items) : undefined;
    if (items) {
      out.push({ path: [...prefix, "0"], schema: items, required: false });
      out.push(...this.locations(items, [...prefix, "0"], depth + 1));
    }
    return out;
  }
}

/** One change to a generated value: replace or delete what is at a path, or add an unexpected key. */
export type Mutation =
  | { kind: "set"; path: string[]; value: Json }
  | { kind: "delete"; path: string[] }
  | { kind: "extra"; path: string[]; key: string; value: Json };

export function mutationsFor(arbs: SchemaArbitraries, schema: Schema): fc.Arbitrary<Mutation> {
  const locs = arbs.locations(schema);
  const options: fc.Arbitrary<Mutation>[] = [
    arbs.invalid(schema).map((value) => ({ kind: "set", path: [], value })),
    fc
      .tuple(fc.constantFrom(...EXTRA_KEYS), fc.oneof(fc.constantFrom(...WRONG_TYPES), fc.string()))
      .map(([key, value]) => ({ kind: "extra", path: [], key, value })),
  ];
  for (const loc of locs) {
    options.push(arbs.invalid(loc.schema).map((value) => ({ kind: "set", path: loc.path, value })));
    options.push(arbs.valid(loc.schema).map((value) => ({ kind: "set", path: loc.path, value })));
    options.push(fc.constant({ kind: "delete", path: loc.path }));
  }
  return fc.oneof(...options);
}

/** Applies mutations to a copy of `value`, creating objects along a path where needed. */
export function applyMutations(value: Json, mutations: Mutation[]): Json {
  let root: Json = structuredClone(value);
  for (const m of mutations) {
    if (m.path.length === 0 && m.kind === "set") {
      root = structuredClone(m.value);
      continue;
    }
    if (root === null || typeof root !== "object") root = {};
    const parentPath = m.kind === "extra" ? m.path : m.path.slice(0, -1);
    let node: Json = root;
    for (const key of parentPath) {
      const container = node as Record<string, Json>;
      if (container[key] === null || typeof container[key] !== "object") container[key] = key === "0" ? [{}] : {};
      node = container[key] as Json;
    }
    if (node === null || typeof node !== "object") continue;
    const target = node as Record<string, Json>;
    if (m.kind === "extra") {
      // defineProperty so "__proto__" becomes an own key that JSON.stringify sends, not a prototype change.
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    } else {
      const key = m.path[m.path.length - 1] as string;
      if (m.kind === "delete") delete target[key];
      else target[key] = m.value;
    }
  }
  return root;
}
