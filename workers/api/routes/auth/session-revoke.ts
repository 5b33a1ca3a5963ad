// DELETE /auth/sessions/{id}: ends one of the caller's sessions (404 for an id that is not theirs).
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { revokeSessions } from "../../auth/sessions";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { ownsSession } from "../../queries/auth";
import { LOGOUT_NOTE, RevokedSchema } from "./schemas";

const route = defineRoute({
  operationId: "revokeSession",
  errors: [404],

  method: "delete",
  path: "/sessions/{id}",
  tags: ["auth"],
  summary: "End one of my sessions",
  description: LOGOUT_NOTE,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 200: { description: "Revoked", content: json(RevokedSchema) } },
});

export function registerSessionRevoke(app: App) {
  app.openapi(route, async (c) => {
    const me = caller(c);
    const { id } = c.req.valid("param");
    const revoked = await revokeSessions(c.var.services.pool(), me.userId, "revoked_by_user", id);
    // Nothing live to end: fine for my own ended session, not found for anyone else's.
    if (revoked === 0 && !(await ownsSession(c.var.services.db(), me.userId, id))) throw new ApiError("not_found");
    return c.json({ revoked }, 200);
  });
}
