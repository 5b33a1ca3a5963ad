// POST /auth/logout-all: ends every session of the caller's, on every device.
import { caller, requireAuth } from "../../auth/require-auth";
import { revokeSessions } from "../../auth/sessions";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { LOGOUT_NOTE, RevokedSchema } from "./schemas";

const route = defineRoute({
  operationId: "logoutAll",

  method: "post",
  path: "/logout-all",
  tags: ["auth"],
  summary: "End every session of mine",
  description: LOGOUT_NOTE,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Revoked", content: json(RevokedSchema) } },
});

export function registerLogoutAll(app: App) {
  app.openapi(route, async (c) => {
    const me = caller(c);
    return c.json({ revoked: await revokeSessions(c.var.services.pool(), me.userId, "logout_all") }, 200);
  });
}
