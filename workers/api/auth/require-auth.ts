// requireAuth(roles?): verifies the access token at the edge (no database) and enforces roles. Every answer behind it
// (errors included) is personal, so it carries Cache-Control: no-store: no shared cache or browser keeps it.
import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "../../../lib/enums";
import { ApiError } from "../../../lib/errors";
import type { AppEnv } from "../context";
import { type AccessClaims, verifyAccessToken } from "./tokens";

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/;

export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header.trim())?.[1] : undefined;
}

export const requireAuth =
  (roles?: readonly Role[]): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    // Set before anything can throw, so error answers made by onError carry it too.
    c.header("Cache-Control", "no-store");
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError("unauthenticated", { headers: { "WWW-Authenticate": 'Bearer realm="kormo"' } });
    }
    const claims = await verifyAccessToken(await c.var.services.keys(), token);
    c.set("auth", claims);
    c.set("userId", claims.userId);
    if (roles && !roles.includes(claims.role)) throw new ApiError("forbidden");
    await next();
    // A handler may have built its own Response: make sure it says no-store as well.
    c.header("Cache-Control", "no-store");
  };

/** The verified caller; only valid behind requireAuth. */
export function caller(c: Context<AppEnv>): AccessClaims {
  const auth = c.var.auth;
  if (!auth) throw new ApiError("unauthenticated");
  return auth;
}
