// PUT /provider/providers/me/availability: replaces the caller's weekly plan (Asia/Dhaka clock) and time off.
import { z } from "@hono/zod-openapi";
import { invalidateAround } from "../../../../platform/search-cache";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { myProvider, replaceAvailability } from "../../queries/provider";
import { withDefault } from "../shared/params";
import { TimeOffSchema, WeeklySlotSchema } from "./schemas";

const Availability = z
  .object({ weekly: z.array(WeeklySlotSchema).max(50), time_off: withDefault(z.array(TimeOffSchema).max(200), []) })
  .openapi("AvailabilityInput");

const route = defineRoute({
  operationId: "setMyAvailability",
  errors: [404],

  method: "put",
  path: "/providers/me/availability",
  tags: ["provider"],
  summary: "Set my weekly plan (Asia/Dhaka) and time off",
  description: 'Replaces both. Times are local Dhaka clock times; "24:00" ends a day at midnight. Safe to repeat.',
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(Availability, {
        weekly: [
          { day: "sun", start: "09:00", end: "17:00" },
          { day: "mon", start: "09:00", end: "17:00" },
          { day: "tue", start: "09:00", end: "13:00" },
        ],
        time_off: [{ start: "2027-01-14T00:00:00+06:00", end: "2027-01-16T00:00:00+06:00", reason: "Family wedding" }],
      }),
    },
  },
  responses: {
    200: { description: "Saved", content: json(Availability) },
  },
});

export function registerAvailabilityUpdate(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const me = await myProvider(c);
    await replaceAvailability(c.var.services.pool(), me.id, body.weekly, body.time_off);
    await invalidateAround(c.var.services.redis(), [me], ["availability"]);
    return c.json(body, 200);
  });
}
