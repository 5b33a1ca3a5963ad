// Input hygiene by construction: the zod building blocks every client-supplied string, id, number and date goes
// through. A value that passes these can be stored and compared by Postgres without an encoding or range error.
import { z } from "zod";

/**
 * C0 controls (NUL included), DEL, C1 controls, and the Unicode "noncharacters" and bidi overrides that make text
 * lie about itself. Tab and newline are allowed only where the text is multi-line.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: likewise, with tab and newline allowed.
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/u;
/** A UTF-16 surrogate without its partner cannot be encoded as UTF-8; Postgres would refuse it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface TextOptions {
  max: number;
  min?: number;
  /** Notes and addresses may hold line breaks and tabs; names and tokens may not. */
  multiline?: boolean;
  /** Trim surrounding white space (default true); tokens and keys are kept byte for byte. */
  trim?: boolean;
}

/** True when a string holds no control characters (bar tab/newline when multi-line) and no lone surrogates. */
export function isCleanText(s: string, multiline = false): boolean {
  return !(multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(s) && !LONE_SURROGATE.test(s);
}

/**
 * Free text from a client: checked for control characters, normalized to NFC (so the same name typed on two
 * keyboards compares equal), optionally trimmed, then length-checked in code points as the database counts them.
 */
export function text(opts: TextOptions) {
  const min = opts.min ?? 0;
  return z
    .string()
    .refine((s) => isCleanText(s, opts.multiline ?? false), {
      message: "clean_text",
      params: { reason: "control_characters" },
    })
    .transform((s) => {
      const n = s.normalize("NFC");
      return opts.trim === false ? n : n.trim();
    })
    .pipe(
      z
        .string()
        .refine((s) => [...s].length >= min, { message: "min_chars", params: { min } })
        .refine((s) => [...s].length <= opts.max, { message: "max_chars", params: { max: opts.max } }),
    );
}

/** An opaque token (push token, key, reference): printable ASCII only, never trimmed or normalized. */
export function token(max: number, min = 1) {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, { message: "printable_ascii" });
}

/** The largest id we accept: a positive bigint that is still exact as a JavaScript number. */
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** An id in a path or query: a canonical positive decimal integer ("1", never "01", "1e0", "0x1", "+1", " 1 "). */
export const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, { message: "positive_whole_number" })
  .transform(Number)
  .refine((n) => n <= MAX_ID, { message: "too_large" });

/** An id in a JSON body: a positive safe integer. */
export const idValue = z.number().int().positive().max(MAX_ID);

/** A decimal number in a query string: no empty value, no hex, no exponent, no infinity. */
export function decimalParam(opts: { min: number; max: number }) {
  return z
    .string()
    .regex(/^-?(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,17})?$/, { message: "decimal_number" })
    .transform(Number)
    .refine((n) => n >= opts.min && n <= opts.max, { message: "between", params: { min: opts.min, max: opts.max } });
}

/** A whole number in a query string, within bounds. */
export function integerParam(opts: { min: number; max: number }) {
  return z
    .string()
    .regex(/^(?:0|[1-9][0-9]{0,8})$/, { message: "whole_number" })
    .transform(Number)
    .refine((n) => n >= opts.min && n <= opts.max, { message: "between", params: { min: opts.min, max: opts.max } });
}

/** Dates a client may name at all: from 2020 to 2100. Tighter, per-use bounds (the booking horizon) come on top. */
const EARLIEST = Date.UTC(2020, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** An ISO 8601 instant with an offset (`2026-12-01T10:00:00Z`, `…+06:00`) between EARLIEST and LATEST. */
export const instant = z
  .string()
  .datetime({ offset: true, message: "instant" })
  .refine(
    (s) => {
      const t = Date.parse(s);
      return Number.isFinite(t) && t >= EARLIEST && t < LATEST;
    },
    { message: "instant" },
  );

/** Whether `at` lies within `days` days from `now` (the booking horizon). */
export function withinHorizon(at: Date, now: Date, days: number): boolean {
  return at.getTime() <= now.getTime() + days * 86_400_000;
}
