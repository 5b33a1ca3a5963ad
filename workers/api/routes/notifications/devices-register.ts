// POST /notifications/devices: registers this device for pushes. The seed's POST /provider/devices/register stays
// as a deprecated alias served by the same handler (customers' phones register too, so it belongs here).
import { createRoute } from "@hono/zod-openapi";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { registerDevice } from "../../queries/notifications";
import { Device } from "./schemas";

const DESCRIPTION =
  "Upsert: a token registered by another user moves to the caller (the phone changed hands). Safe to repeat.";

function mount(app: App, at: { path: string; tag: string; deprecated: boolean }) {
  const route = createRoute({
    method: "post",
    path: at.path,
    tags: [at.tag],
    summary: "Register this device for push notifications",
    description: at.deprecated
      ? `Deprecated alias of POST /notifications/devices, kept for the seed's clients: use that path. ${DESCRIPTION}`
      : DESCRIPTION,
    deprecated: at.deprecated,
    security: bearerSecurity,
    middleware: [requireAuth()] as const,
    request: { body: { required: true, content: json(Device) } },
    responses: {
      200: { description: "Registered", content: json(Device) },
      ...errorResponses(400, 401),
    },
  });
  app.openapi(route, async (c) => {
    const device = c.req.valid("json");
    await registerDevice(c.var.services.db(), caller(c).userId, device);
    return c.json(device, 200);
  });
}

export const registerDeviceRegister = (app: App) =>
  mount(app, { path: "/devices", tag: "notifications", deprecated: false });

/** The seed path under /provider. */
export const registerDeviceRegisterAlias = (app: App) =>
  mount(app, { path: "/devices/register", tag: "provider", deprecated: true });
