// DELETE /notifications/devices: stops pushes to a device. The token travels in the JSON body, never in the URL,
// where access logs and proxies would keep it.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { unregisterDevice } from "../../queries/notifications";
import { PushToken } from "./schemas";

const route = defineRoute({
  operationId: "unregisterDevice",
  errors: [404],

  method: "delete",
  path: "/devices",
  tags: ["notifications"],
  summary: "Stop pushes to this device",
  description: "Only the caller's own token: one registered by someone else answers 404 and stays registered.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(z.object({ push_token: PushToken }).openapi("DeviceToken"), {
        push_token: "fcm-dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx",
      }),
    },
  },
  responses: {
    200: { description: "Removed", content: json(z.object({ deleted: z.boolean() })) },
  },
});

export function registerDeviceUnregister(app: App) {
  app.openapi(route, async (c) => {
    const { push_token } = c.req.valid("json");
    // Someone else's token is as good as unknown.
    if (!(await unregisterDevice(c.var.services.db(), caller(c).userId, push_token))) throw new ApiError("not_found");
    return c.json({ deleted: true }, 200);
  });
}
