// GET|PUT /notifications/preferences: language, channel opt-outs for non-critical events, quiet hours (Dhaka time).
import { createRoute, z } from "@hono/zod-openapi";
import { parseClock } from "../../../../lib/availability";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";

const Clock = z.string().refine((v) => {
  const m = parseClock(v);
  return m !== null && m < 1440;
}, "HH:MM, 00:00 to 23:59");

const Prefs = z
  .object({
    lang: z.enum(["bn", "en"]),
    push: z
      .boolean()
      .openapi({ description: "Pushes for non-critical events (confirmations and cancellations always go)" }),
    sms: z.boolean().openapi({ description: "SMS for non-critical events when there is no device" }),
    quiet_hours: z
      .object({ start: Clock, end: Clock })
      .nullable()
      .openapi({ description: "Asia/Dhaka; may wrap past midnight (22:00 to 07:00). Non-critical messages wait." }),
  })
  .openapi("NotificationPreferences");

const security = [{ bearerAuth: [] }];
const json = { "application/json": { schema: Prefs } };

const get = createRoute({
  method: "get",
  path: "/preferences",
  tags: ["notifications"],
  summary: "My notification preferences",
  security,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Preferences", content: json }, ...errorResponses(401) },
});

const put = createRoute({
  method: "put",
  path: "/preferences",
  tags: ["notifications"],
  summary: "Set my notification preferences",
  security,
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: json } },
  responses: { 200: { description: "Saved", content: json }, ...errorResponses(400, 401) },
});

const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function registerPreferences(app: App) {
  app.openapi(get, async (c) => {
    const { rows } = await c.var.services.pool().query<{
      lang: "bn" | "en";
      notify_push: boolean;
      notify_sms: boolean;
      quiet_start_min: number | null;
      quiet_end_min: number | null;
    }>("SELECT lang, notify_push, notify_sms, quiet_start_min, quiet_end_min FROM users WHERE id = $1", [
      caller(c).userId,
    ]);
    const u = rows[0];
    if (!u) throw new ApiError("not_found");
    return c.json(
      {
        lang: u.lang,
        push: u.notify_push,
        sms: u.notify_sms,
        quiet_hours:
          u.quiet_start_min === null || u.quiet_end_min === null
            ? null
            : { start: clock(u.quiet_start_min), end: clock(u.quiet_end_min) },
      },
      200,
    );
  });

  app.openapi(put, async (c) => {
    const p = c.req.valid("json");
    await c.var.services
      .pool()
      .query(
        "UPDATE users SET lang = $2, notify_push = $3, notify_sms = $4, quiet_start_min = $5, quiet_end_min = $6 WHERE id = $1",
        [
          caller(c).userId,
          p.lang,
          p.push,
          p.sms,
          p.quiet_hours ? parseClock(p.quiet_hours.start) : null,
          p.quiet_hours ? parseClock(p.quiet_hours.end) : null,
        ],
      );
    return c.json(p, 200);
  });
}
