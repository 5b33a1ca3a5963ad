// A POST with "Content-Type: application/json" and no body (what many HTTP clients send for a bare action) is
// treated as having no body at all, so optional-body endpoints accept it and required ones report the fields.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

export const emptyJsonBody = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const type = c.req.header("content-type");
  if (type?.includes("json") && c.req.header("content-length") === "0") {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers });
  }
  await next();
};
