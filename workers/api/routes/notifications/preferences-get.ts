// GET /notifications/preferences: the caller's language, channel opt-outs and quiet hours (Dhaka time).
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { preferencesOf } from "../../queries/notifications";
import { Preferences } from "./schemas";

const route = defineRoute({
  operationId: "getNotificationPreferences",

  method: "get",
  path: "/preferences",
  tags: ["notifications"],
  summary: "My notification preferences",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Preferences", content: json(Preferences) } },
});

/** Minutes after midnight as HH:MM. */
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function registerPreferencesGet(app: App) {
  app.openapi(route, async (c) => {
    const prefs = await preferencesOf(c.var.services.db(), caller(c).userId);
    if (!prefs) throw new ApiError("not_found");
    const { quietStartMin: start, quietEndMin: end } = prefs;
    return c.json(
      {
        lang: prefs.lang,
        push: prefs.notifyPush,
        sms: prefs.notifySms,
        quiet_hours: start === null || end === null ? null : { start: clock(start), end: clock(end) },
      },
      200,
    );
  });
}
