// POST /auth/token/refresh (and the seed's /auth/auth/token/refresh): rotates the refresh token, issues a new access token.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { verifyDpop } from "../../auth/dpop";
import { bearerToken } from "../../auth/require-auth";
import { rotateRefreshToken } from "../../auth/sessions";
import { signAccessToken } from "../../auth/tokens";
import { type App, defineRoute } from "../../openapi";
import { NO_STORE, TokenPairSchema } from "./schemas";

const Headers = z.object({
  dpop: z
    .string()
    .max(4096)
    .optional()
    .openapi({ description: "DPoP proof (RFC 9449): required for sessions that enrolled a device_key at login." }),
  "x-device-id": z
    .string()
    .max(128)
    .optional()
    .openapi({ description: "For sessions without a device key: the device_id given at login, which must match." }),
});

const routeAt = (path: string, legacy: boolean) =>
  defineRoute({
    operationId: legacy ? "refreshTokenLegacy" : "refreshToken",
    deprecated: legacy,
    method: "post",
    path,
    tags: ["auth"],
    summary: legacy
      ? "Rotate a refresh token (deprecated alias of /auth/token/refresh)"
      : "Rotate a refresh token (Authorization: Bearer <refresh_token>)",
    description:
      (legacy ? "Deprecated: the seed's path, kept for its clients; use POST /auth/token/refresh. " : "") +
      "The presented refresh token is spent. Reusing a spent token ends the session. Device-bound sessions need a " +
      "DPoP header (RFC 9449) signed by the enrolled device key; others may send X-Device-Id, which must match.",
    security: [{ refreshToken: [] }],
    request: { headers: Headers },
    responses: {
      200: { description: "New token pair", content: { "application/json": { schema: TokenPairSchema } } },
    },
  });

export function registerTokenRefresh(app: App) {
  for (const [path, legacy] of [
    ["/token/refresh", false],
    ["/auth/token/refresh", true],
  ] as const) {
    app.openapi(routeAt(path, legacy), async (c) => {
      // Every answer, refusals included, concerns one session: none is kept by a cache.
      c.header("Cache-Control", "no-store");
      const presented = bearerToken(c.req.header("authorization"));
      if (!presented?.startsWith("kmr_")) throw new ApiError("unauthenticated", { message: "invalid_token" });
      const { services } = c.var;
      const redis = services.redis();
      const rotated = await rotateRefreshToken(services.pool(), presented, async (session) => {
        if (session.jkt) {
          const proof = await verifyDpop(c.req.header("dpop"), {
            jkt: session.jkt,
            method: c.req.method,
            url: c.req.url,
            redis,
          });
          if (!proof.ok) throw new ApiError("unauthenticated", { message: "dpop_invalid" });
        } else {
          const claimed = c.req.header("x-device-id");
          if (claimed !== undefined && claimed !== session.deviceId) {
            throw new ApiError("unauthenticated", { message: "invalid_token" });
          }
        }
      });
      c.set("userId", rotated.userId);
      const access = await signAccessToken(await services.keys(), rotated);
      return c.json(
        {
          access_token: access.token,
          refresh_token: rotated.refreshToken,
          token_type: "Bearer" as const,
          expires_in: access.expiresIn,
        },
        200,
        NO_STORE,
      );
    });
  }
}
