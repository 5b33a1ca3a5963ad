// PUT /notifications/preferences: replaces the caller's language, channel opt-outs and quiet hours.
import { createRoute } from "@hono/zod-openapi";
import { parseClock } from "../../../../lib/availability";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { savePreferences } from "../../queries/notifications";
import { Preferences } from "./schemas";

const route = createRoute({
  method: "put",
  path: "/preferences",
  tags: ["notifications"],
  summary: "Set my notification preferences",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: json(Preferences) } },
  responses: { 200: { description: "Saved", content: json(Preferences) }, ...errorResponses(400, 401) },
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
