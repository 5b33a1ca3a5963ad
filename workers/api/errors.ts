// Renders every failure as { error: { code, message, request_id, details? } } in the caller's language.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { localizeDetails } from "../../lib/error-details";
import { ApiError } from "../../lib/errors";
import { type LogLevel, logLine } from "../../lib/log";
import { ConfigError } from "../../platform/config";
import { isDependencyFailure, sqlState } from "../../platform/pg/errors";
import type { AppEnv } from "./context";

export function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  const lang = c.var.lang ?? "en";
  const body = {
    error: {
      code: err.code,
      message: err.msg[lang],
      request_id: c.var.requestId ?? "",
      ...(err.details === undefined ? {} : { details: localizeDetails(err.details, lang) }),
    },
  };
  return c.json(body, err.status, err.headers);
}

/** Maps what frameworks and drivers throw onto the closed set of codes. Unknown errors are 500, logged without data. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ConfigError) return new ApiError("misconfigured");
  // Class 22 is Postgres refusing a value (bad encoding, out of range, a date it cannot hold): the input's fault.
  // The schemas should stop these first; if one slips through it is still the caller's 400, never our 500.
  if (sqlState(err)?.startsWith("22")) return new ApiError("invalid_input");
  // Postgres or Redis unreachable, a socket cut mid-statement: the request may be retried (with its key) shortly.
  if (isDependencyFailure(err)) return new ApiError("dependency_unavailable", { headers: { "Retry-After": "1" } });
  if (err instanceof HTTPException) {
    // Hono's own body parsing and validator raise 400 only for unreadable bodies (schema failures go through defaultHook).
    if (err.status === 400) return new ApiError("invalid_input", { message: "malformed_json" });
    if (err.status === 401) return new ApiError("unauthenticated");
    if (err.status === 404) return new ApiError("not_found");
    if (err.status === 413) return new ApiError("payload_too_large");
    if (err.status === 415) return new ApiError("unsupported_media_type");
  }
  return new ApiError("internal");
}

export const onError: ErrorHandler<AppEnv> = async (err, c) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    await logLine(c.var.config?.LOG_LEVEL ?? (c.env.LOG_LEVEL as LogLevel | undefined) ?? "info", "error", {
      msg:
        err instanceof ConfigError
          ? err.message
          : apiError.code === "dependency_unavailable"
            ? "dependency unavailable"
            : "unhandled error",
      request_id: c.var.requestId,
      error: err instanceof Error ? err.name : typeof err,
      // Driver messages can quote values; keep only the first line and cap it.
      detail:
        err instanceof Error && !(err instanceof ConfigError) ? err.message.split("\n")[0]?.slice(0, 160) : undefined,
    });
  }
  return errorResponse(c, apiError);
};

/** The methods each route pattern answers, as a matcher over concrete paths. */
function methodTable(routes: readonly { path: string; method: string }[]) {
  const table = new Map<string, { re: RegExp; methods: Set<string> }>();
  for (const { path, method } of routes) {
    if (method === "ALL" || path.includes("*")) continue;
    const re = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+")}/?$`);
    const row = table.get(path) ?? { re, methods: new Set<string>() };
    row.methods.add(method);
    if (method === "GET") row.methods.add("HEAD");
    table.set(path, row);
  }
  return (pathname: string) => {
    const allowed = new Set<string>();
    for (const { re, methods } of table.values()) if (re.test(pathname)) for (const m of methods) allowed.add(m);
    return allowed;
  };
}

/**
 * 404 for a path no route has; 405 with Allow for a path that exists under other methods (so a client that
 * sends GET to a POST endpoint learns what it may send instead of "no such endpoint").
 */
export function notFound(routes: () => readonly { path: string; method: string }[]): NotFoundHandler<AppEnv> {
  let allowedFor: ((pathname: string) => Set<string>) | undefined;
  return (c) => {
    allowedFor ??= methodTable(routes());
    const allowed = allowedFor(new URL(c.req.url).pathname);
    if (allowed.size > 0 && !allowed.has(c.req.method)) {
      const allow = [...allowed, "OPTIONS"].sort().join(", ");
      return errorResponse(c, new ApiError("method_not_allowed", { headers: { Allow: allow } }));
    }
    return errorResponse(c, new ApiError("not_found", { message: "route_not_found" }));
  };
}
