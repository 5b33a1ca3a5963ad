// GET /auth/whoami: what the access token says, checked at the edge with no database or Redis round trip.
import { z } from "@hono/zod-openapi";
import { Role } from "../../../../lib/enums";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute } from "../../openapi";

const WhoAmI = z
  .object({
    user_id: z.number().int(),
    role: Role,
    device_id: z.string(),
    session_id: z.string(),
    expires_at: z.string().datetime(),
  })
  .openapi("WhoAmI");

const route = defineRoute({
  operationId: "whoAmI",

  method: "get",
  path: "/whoami",
  tags: ["auth"],
  summary: "The caller as the access token states it (no database hit)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: "Token claims", content: { "application/json": { schema: WhoAmI } } },
  },
});

export function registerWhoAmI(app: App) {
  app.openapi(route, (c) => {
    const me = caller(c);
    return c.json(
      {
        user_id: me.userId,
        role: me.role,
        device_id: me.deviceId,
        session_id: me.sessionId,
        expires_at: new Date(me.exp * 1000).toISOString(),
      },
      200,
    );
  });
}
