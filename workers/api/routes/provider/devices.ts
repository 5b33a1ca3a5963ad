// POST /provider/devices/register and DELETE /provider/devices/{push_token}: where pushes for a user go.
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";

const Device = z
  .object({ push_token: z.string().min(1).max(4096), platform: z.enum(["ios", "android", "web"]) })
  .openapi("Device");

const register = createRoute({
  method: "post",
  path: "/devices/register",
  tags: ["provider"],
  summary: "Register this device for push notifications",
  description:
    "Upsert: a token registered by another user moves to the caller (the phone changed hands). Safe to repeat.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: { "application/json": { schema: Device } } } },
  responses: {
    200: { description: "Registered", content: { "application/json": { schema: Device } } },
    ...errorResponses(400, 401),
  },
});

const unregister = createRoute({
  method: "delete",
  path: "/devices/{push_token}",
  tags: ["provider"],
  summary: "Stop pushes to this device",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { params: z.object({ push_token: z.string().min(1).max(4096) }) },
  responses: {
    200: { description: "Removed", content: { "application/json": { schema: z.object({ deleted: z.boolean() }) } } },
    ...errorResponses(401, 404),
  },
});

export function registerDevices(app: App) {
  app.openapi(register, async (c) => {
    const body = c.req.valid("json");
    await c.var.services.pool().query(
      `INSERT INTO user_devices (push_token, user_id, platform) VALUES ($1, $2, $3)
       ON CONFLICT (push_token) DO UPDATE SET user_id = EXCLUDED.user_id, platform = EXCLUDED.platform`,
      [body.push_token, caller(c).userId, body.platform],
    );
    return c.json(body, 200);
  });

  app.openapi(unregister, async (c) => {
    const { push_token } = c.req.valid("param");
    const { rowCount } = await c.var.services
      .pool()
      .query("DELETE FROM user_devices WHERE push_token = $1 AND user_id = $2", [push_token, caller(c).userId]);
    // Someone else's token is as good as unknown.
    if (!rowCount) throw new ApiError("not_found");
    return c.json({ deleted: true }, 200);
  });
}
