// POST /auth/logout, POST /auth/logout-all and DELETE /auth/sessions/{id}: end one, all, or a chosen session.
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { revokeSessions } from "../../auth/sessions";
import { type App, bearerSecurity, errorResponses } from "../../openapi";
import { ownsSession } from "../../queries/auth";

const Revoked = z.object({ revoked: z.number().int() }).openapi("Revoked");
const ok = { 200: { description: "Revoked", content: { "application/json": { schema: Revoked } } } };
const note = "Access tokens already issued stay valid until they expire (at most 15 minutes); refresh stops at once.";

const logout = createRoute({
  method: "post",
  path: "/logout",
  tags: ["auth"],
  summary: "End this session",
  description: note,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { ...ok, ...errorResponses(401) },
});

const logoutAll = createRoute({
  method: "post",
  path: "/logout-all",
  tags: ["auth"],
  summary: "End every session of mine",
  description: note,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { ...ok, ...errorResponses(401) },
});

const revokeOne = createRoute({
  method: "delete",
  path: "/sessions/{id}",
  tags: ["auth"],
  summary: "End one of my sessions",
  description: note,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { ...ok, ...errorResponses(400, 401, 404) },
});

/** All three are idempotent: ending an ended session answers revoked: 0 (or 404 for an id that is not yours). */
export function registerLogout(app: App) {
  app.openapi(logout, async (c) => {
    const me = caller(c);
    return c.json({ revoked: await revokeSessions(c.var.services.pool(), me.userId, "logout", me.sessionId) }, 200);
  });
  app.openapi(logoutAll, async (c) => {
    const me = caller(c);
    return c.json({ revoked: await revokeSessions(c.var.services.pool(), me.userId, "logout_all") }, 200);
  });
  app.openapi(revokeOne, async (c) => {
    const me = caller(c);
    const { id } = c.req.valid("param");
    const revoked = await revokeSessions(c.var.services.pool(), me.userId, "revoked_by_user", id);
    // Nothing live to end: fine for my own ended session, not found for anyone else's.
    if (revoked === 0 && !(await ownsSession(c.var.services.db(), me.userId, id))) throw new ApiError("not_found");
    return c.json({ revoked }, 200);
  });
}
