// PUT /provider/providers/me/availability and GET /provider/providers/{id}/availability: the weekly plan in
// Asia/Dhaka time plus time off, and the free intervals that leaves once active bookings are taken out.
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { baseWeekRanges, freeIntervals, type Range } from "../../../../lib/availability";
import { ApiError } from "../../../../lib/errors";
import { requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";
import { invalidateProvider, replaceAvailability } from "../../providers/repo";
import { myProvider } from "./profile";
import { TimeOffSchema, WeeklySlotSchema } from "./schemas";

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 31;

const PutBody = z
  .object({ weekly: z.array(WeeklySlotSchema).max(50), time_off: z.array(TimeOffSchema).max(200).default([]) })
  .openapi("AvailabilityInput");

const put = createRoute({
  method: "put",
  path: "/providers/me/availability",
  tags: ["provider"],
  summary: "Set my weekly plan (Asia/Dhaka) and time off",
  description: 'Replaces both. Times are local Dhaka clock times; "24:00" ends a day at midnight. Safe to repeat.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: { "application/json": { schema: PutBody } } } },
  responses: {
    200: { description: "Saved", content: { "application/json": { schema: PutBody } } },
    ...errorResponses(400, 401, 404),
  },
});

const Query = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.to) > new Date(q.from), {
    message: "to must be after from",
    path: ["to"],
  });

const Free = z
  .object({
    provider_id: z.number().int(),
    intervals: z.array(z.object({ start: z.string().datetime(), end: z.string().datetime() })),
  })
  .openapi("FreeIntervals");

const get = createRoute({
  method: "get",
  path: "/providers/{id}/availability",
  tags: ["provider"],
  summary: "Free intervals of a provider (UTC)",
  description: `Weekly plan minus time off minus active bookings, within [from, to) (default: the next 7 days; at most ${MAX_RANGE_DAYS}).`,
  request: { params: z.object({ id: z.coerce.number().int().positive() }), query: Query },
  responses: {
    200: { description: "Free intervals", content: { "application/json": { schema: Free } } },
    ...errorResponses(400, 404),
  },
});

export function registerAvailability(app: App) {
  app.openapi(put, async (c) => {
    const body = c.req.valid("json");
    const me = await myProvider(c);
    await replaceAvailability(c.var.services.pool(), Number(me.id), body.weekly, body.time_off);
    await invalidateProvider(c.var.services.redis(), [me], ["availability"]);
    return c.json(body, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const from = q.from ? new Date(q.from) : new Date();
    const to = q.to ? new Date(q.to) : new Date(from.getTime() + 7 * DAY_MS);
    if (to.getTime() <= from.getTime()) {
      throw new ApiError("invalid_input", { details: [{ path: "to", message: "to must be after from" }] });
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new ApiError("invalid_input", { details: [{ path: "to", message: `at most ${MAX_RANGE_DAYS} days` }] });
    }
    const rows = await pgReader(c.env, `provider:${id}`).read(
      `SELECT p.verification_status,
              COALESCE((SELECT json_agg(json_build_array(lower(s.week_minutes), upper(s.week_minutes)))
                          FROM provider_schedule s WHERE s.provider_id = p.id), '[]') AS plan,
              COALESCE((SELECT json_agg(json_build_object('start', lower(t.period), 'end', upper(t.period)))
                          FROM provider_time_off t WHERE t.provider_id = p.id AND t.period && tstzrange($2, $3)), '[]') AS time_off,
              COALESCE((SELECT json_agg(json_build_object('start', b.start_date, 'end', b.end_date))
                          FROM bookings b WHERE b.provider_id = p.id AND b.status IN ('PENDING', 'ACCEPTED', 'CONFIRMED')
                           AND b.booking_window && tstzrange($2, $3)), '[]') AS busy
         FROM providers p WHERE p.id = $1`,
      [id, from.toISOString(), to.toISOString()],
    );
    const row = rows[0];
    if (row?.verification_status !== "verified") throw new ApiError("not_found");
    const toIntervals = (xs: { start: string; end: string }[]) =>
      xs.map((x) => ({ start: new Date(x.start), end: new Date(x.end) }));
    const free = freeIntervals(
      baseWeekRanges(row.plan as Range[]),
      toIntervals(row.time_off as { start: string; end: string }[]),
      toIntervals(row.busy as { start: string; end: string }[]),
      from,
      to,
    );
    return c.json(
      { provider_id: id, intervals: free.map((i) => ({ start: i.start.toISOString(), end: i.end.toISOString() })) },
      200,
    );
  });
}
