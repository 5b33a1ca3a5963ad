// Request id, language, one JSON log line and one analytics data point per request.
import type { MiddlewareHandler } from "hono";
import { pickLang } from "../../../lib/i18n";
import { type LogLevel, logLine } from "../../../lib/log";
import type { AppEnv } from "../context";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestContext = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const started = performance.now();
  const incoming = c.req.header("x-request-id");
  // Accept a caller's id only when it is harmless to echo and log; otherwise mint one.
  const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("lang", pickLang(c.req.header("accept-language")));
  try {
    await next();
  } finally {
    c.header("X-Request-Id", requestId);
    const status = c.res.status;
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    // routePath is the matched pattern (/provider/devices/:push_token), never the raw path, which can carry tokens.
    const route = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
    const level = c.var.config?.LOG_LEVEL ?? (c.env.LOG_LEVEL as LogLevel | undefined) ?? "info";
    await logLine(level, status >= 500 ? "error" : "info", {
      msg: "request",
      request_id: requestId,
      method: c.req.method,
      route,
      status,
      duration_ms: durationMs,
      user: c.var.userId,
    });
    c.env.METRICS?.writeDataPoint({
      blobs: [c.req.method, route, String(status)],
      doubles: [durationMs, status],
      indexes: [route.slice(0, 96)],
    });
  }
};
