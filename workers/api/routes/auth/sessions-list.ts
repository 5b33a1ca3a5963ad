// GET /auth/sessions: the caller's signed-in devices.
import { z } from "@hono/zod-openapi";
import { DevicePlatform } from "../../../../lib/enums";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute } from "../../openapi";
import { liveSessions } from "../../queries/auth";

const SessionItem = z
  .object({
    id: z.string().uuid(),
    device_id: z.string(),
    platform: DevicePlatform,
    device_name: z.string().nullable(),
    device_bound: z.boolean().openapi({ description: "Refreshes need a DPoP proof from the device key" }),
    current: z.boolean(),
    created_at: z.string().datetime(),
    last_used_at: z.string().datetime(),
  })
  .openapi("SessionItem");

const route = defineRoute({
  operationId: "listSessions",

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
  },
});

export function registerSessionsList(app: App) {
  app.openapi(route, async (c) => {
    const me = caller(c);
    const live = await liveSessions(c.var.services.db(), me.userId);
    const sessions = live.map((r) => ({
      id: r.id,
      device_id: r.deviceId,
      platform: r.platform,
      device_name: r.deviceName,
      device_bound: r.deviceJkt !== null,
      current: r.id === me.sessionId,
      created_at: r.createdAt.toISOString(),
      last_used_at: r.lastUsedAt.toISOString(),
    }));
    return c.json({ sessions }, 200);
  });
}
