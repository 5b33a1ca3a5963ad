// PUT /notifications/preferences: replaces the caller's language, channel opt-outs and quiet hours.
import { parseClock } from "../../../../lib/availability";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { savePreferences } from "../../queries/notifications";
import { Preferences } from "./schemas";

const route = defineRoute({
  operationId: "setNotificationPreferences",

  method: "put",
  path: "/preferences",
  tags: ["notifications"],
  summary: "Set my notification preferences",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(Preferences, { lang: "bn", push: true, sms: true, quiet_hours: { start: "22:00", end: "07:00" } }),
    },
  },
  responses: { 200: { description: "Saved", content: json(Preferences) } },
});

export function registerPreferencesUpdate(app: App) {
  app.openapi(route, async (c) => {
    const p = c.req.valid("json");
    await savePreferences(c.var.services.db(), caller(c).userId, {
      lang: p.lang,
      notifyPush: p.push,
      notifySms: p.sms,
      quietStartMin: p.quiet_hours ? parseClock(p.quiet_hours.start) : null,
      quietEndMin: p.quiet_hours ? parseClock(p.quiet_hours.end) : null,
    });
    return c.json(p, 200);
  });
}
