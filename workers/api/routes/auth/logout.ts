// POST /auth/logout: ends the caller's current session (idempotent: an ended one answers revoked: 0).
import { caller, requireAuth } from "../../auth/require-auth";
import { revokeSessions } from "../../auth/sessions";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { LOGOUT_NOTE, RevokedSchema } from "./schemas";

const route = defineRoute({
  operationId: "logout",

  method: "post",
  path: "/logout",
  tags: ["auth"],
  summary: "End this session",
  description: LOGOUT_NOTE,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Revoked", content: json(RevokedSchema) } },
});

export function registerLogout(app: App) {
  app.openapi(route, async (c) => {
    const me = caller(c);
    return c.json({ revoked: await revokeSessions(c.var.services.pool(), me.userId, "logout", me.sessionId) }, 200);
  });
}
