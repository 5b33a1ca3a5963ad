// Renders every failure as { error: { code, message, request_id, details? } } in the caller's language.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
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
      ...(err.details === undefined ? {} : { details: err.details }),
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

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("not_found", { message: "route_not_found" }));
