// GET /provider/providers/{id}/availability: a verified provider's free intervals (UTC) in a range: the weekly
// plan minus time off minus active bookings.
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { baseWeekRanges, freeIntervals } from "../../../../lib/availability";
import { ApiError } from "../../../../lib/errors";
import { idParam, instant } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { type App, errorResponses, json } from "../../openapi";
import { availabilityInputs } from "../../queries/provider";

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 31;

const Query = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
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

const route = createRoute({
  method: "get",
  path: "/providers/{id}/availability",
  tags: ["provider"],
  summary: "Free intervals of a provider (UTC)",
  description: `Weekly plan minus time off minus active bookings, within [from, to) (default: the next 7 days; at most ${MAX_RANGE_DAYS}).`,
  request: {
    params: z.object({ id: idParam }),
    query: Query,
  },
  responses: {
    200: { description: "Free intervals", content: json(Free) },
    ...errorResponses(400, 404),
  },
});

const toIntervals = (periods: { start: string; end: string }[]) =>
  periods.map((p) => ({ start: new Date(p.start), end: new Date(p.end) }));

export function registerAvailabilityGet(app: App) {
  app.openapi(route, async (c) => {
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
    const inputs = await first(pgReader(c.env, `provider:${id}`), availabilityInputs, {
      id,
      from: from.toISOString(),
      to: to.toISOString(),
    });
    if (inputs?.verification_status !== "verified") throw new ApiError("not_found");
    const free = freeIntervals(
      baseWeekRanges(inputs.plan),
      toIntervals(inputs.time_off),
      toIntervals(inputs.busy),
      from,
      to,
    );
    return c.json(
      { provider_id: id, intervals: free.map((i) => ({ start: i.start.toISOString(), end: i.end.toISOString() })) },
      200,
    );
  });
}
