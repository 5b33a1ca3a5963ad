// The net under every schema: no request reaches a handler with a control character (NUL above all) or a lone
// surrogate in its path, its query or any string of its JSON body. Postgres refuses NUL in text, so without this a
// single "\u0000" anywhere a client can type became a 500. Schemas still narrow each field (lib/input.ts); this
// makes the class impossible for fields a schema forgets.
import type { MiddlewareHandler } from "hono";
import type { Issue } from "../../../lib/error-details";
import { ApiError } from "../../../lib/errors";
import { isCleanText } from "../../../lib/input";
import { fieldIssue, validationDetails } from "../../../lib/issues";
import type { AppEnv } from "../context";

const refuse = (path: string) =>
  new ApiError("invalid_input", {
    message: "control_characters",
    details: validationDetails([fieldIssue(path, "control_characters")]),
  });
const malformed = (path: string) =>
  new ApiError("invalid_input", { details: validationDetails([fieldIssue(path, "malformed_escape")]) });

function decoded(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** No request body of ours nests deeper than a few levels; far deeper nesting only exhausts parsers' stacks. */
const MAX_JSON_DEPTH = 32;

/** Whether JSON text nests deeper than `max` (brackets outside strings), found without parsing it. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92)
        i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) {
      if (++depth > max) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

/** The first string in a parsed JSON value (keys included) that is not clean text, with its path. */
function dirty(value: unknown, path: string): Issue | null {
  if (typeof value === "string") {
    return isCleanText(value, true) ? null : fieldIssue(path || "body", "control_characters");
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = dirty(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!isCleanText(k)) return fieldIssue(path || "body", "control_characters");
      const found = dirty(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

export const inputHygiene = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const url = new URL(c.req.url);
  for (const segment of url.pathname.split("/")) {
    const d = decoded(segment);
    if (d === null) throw malformed("path");
    if (!isCleanText(d)) throw refuse("path");
  }
  for (const part of url.search.slice(1).split("&")) {
    if (!part) continue;
    const [rawKey = "", rawValue = ""] = part.split("=", 2);
    const key = decoded(rawKey);
    const value = decoded(rawValue);
    if (key === null || value === null) {
      throw malformed("query");
    }
    if (!isCleanText(key) || !isCleanText(value)) {
      throw refuse(key && isCleanText(key) ? key : "query");
    }
  }
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.includes("json") && c.req.method !== "GET" && c.req.method !== "HEAD") {
    // Read once here; Hono caches the text, so the route's validator parses it without reading the stream again.
    const body = await c.req.text();
    if (body) {
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        throw new ApiError("invalid_input", {
          message: "malformed_json",
          details: validationDetails([fieldIssue("body", "too_deep", { depth: MAX_JSON_DEPTH })]),
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined; // the validator answers malformed JSON in its own words
      }
      const found = parsed === undefined ? null : dirty(parsed, "");
      if (found) {
        throw new ApiError("invalid_input", { message: "control_characters", details: validationDetails([found]) });
      }
    }
  }
  await next();
};
