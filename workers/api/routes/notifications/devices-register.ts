// POST /notifications/devices: registers this device for pushes. The seed's POST /provider/devices/register stays
// as a deprecated alias served by the same handler (customers' phones register too, so it belongs here).
import { ApiError } from "../../../../lib/errors";
import { DEVICES_PER_USER } from "../../../../lib/policy";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { registerDevice } from "../../queries/notifications";
import { Device } from "./schemas";

const DESCRIPTION =
  "Registers the token for the caller's current session; repeating it is safe and marks the device as just seen. " +
  `A user keeps at most ${DEVICES_PER_USER} devices: registering one more drops the least recently seen one. ` +
  "A token registered to another account answers 409 conflict and stays theirs (knowing a token must not be " +
  "enough to receive someone's notifications); it is freed when that account's session on the device ends " +
  "(POST /auth/logout, DELETE /auth/sessions/{id}, POST /auth/logout-all), so a shared phone can switch accounts.";

function mount(app: App, at: { path: string; tag: string; deprecated: boolean }) {
  const route = defineRoute({
    operationId: at.deprecated ? "registerDeviceLegacy" : "registerDevice",
    errors: [409],
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
    request: {
      body: {
        required: true,
        content: json(Device, {
          push_token: "fcm-dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx",
          platform: "android",
        }),
      },
    },
    responses: {
      200: { description: "Registered", content: json(Device) },
    },
  });
  app.openapi(route, async (c) => {
    const device = c.req.valid("json");
    const outcome = await registerDevice(c.var.services.pool(), caller(c), device);
    if (outcome === "taken") throw new ApiError("conflict", { message: "push_token_taken" });
    if (outcome === "session_ended") throw new ApiError("unauthenticated", { message: "session_ended" });
    return c.json(device, 200);
  });
}

export const registerDeviceRegister = (app: App) =>
  mount(app, { path: "/devices", tag: "notifications", deprecated: false });

/** The seed path under /provider. */
export const registerDeviceRegisterAlias = (app: App) =>
  mount(app, { path: "/devices/register", tag: "provider", deprecated: true });
