// GET /auth/sessions: the caller's signed-in devices.
import { createRoute, z } from "@hono/zod-openapi";
import { caller, requireAuth } from "../../auth/require-auth";
import { listSessions } from "../../auth/sessions";
import { type App, errorResponses } from "../../openapi";
import { bearerSecurity } from "./schemas";

const SessionItem = z
  .object({
    id: z.string().uuid(),
    device_id: z.string(),
    platform: z.enum(["ios", "android", "web"]),
    device_name: z.string().nullable(),
    device_bound: z.boolean().openapi({ description: "Refreshes need a DPoP proof from the device key" }),
    current: z.boolean(),
    created_at: z.string().datetime(),
    last_used_at: z.string().datetime(),
  })
  .openapi("SessionItem");

const route = createRoute({
  method: "get",
  path: "/sessions",
  tags: ["auth"],
  summary: "List my active sessions (devices)",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: {
      description: "Sessions",
      content: { "application/json": { schema: z.object({ sessions: z.array(SessionItem) }) } },
    },
    ...errorResponses(401),
  },
});

export function registerSessionsList(app: App) {
  app.openapi(route, async (c) => {
    const me = caller(c);
    const rows = await listSessions(c.var.services.pool(), me.userId);
    const sessions = rows.map((r) => ({
      id: r.id,
      device_id: r.device_id,
      platform: r.platform as "ios" | "android" | "web",
      device_name: r.device_name,
      device_bound: r.bound,
      current: r.id === me.sessionId,
      created_at: new Date(r.created_at).toISOString(),
      last_used_at: new Date(r.last_used_at).toISOString(),
    }));
    return c.json({ sessions }, 200);
  });
}
