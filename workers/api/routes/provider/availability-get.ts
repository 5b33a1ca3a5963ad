// GET /provider/providers/{id}/availability: a verified provider's free intervals (UTC) in a range: the weekly
// plan minus time off minus active bookings.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { baseWeekRanges, freeIntervals } from "../../../../lib/availability";
import { ApiError } from "../../../../lib/errors";
import { instant } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { first } from "../../../../platform/pg/sql";
import { type App, defineRoute, json } from "../../openapi";
import { availabilityInputs } from "../../queries/provider";
import { pathId } from "../shared/params";

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 31;

const Query = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.to) > new Date(q.from), {
    message: "end_after_start",
    path: ["to"],
  });

const Free = z
  .object({
    provider_id: z.number().int(),
    intervals: z.array(z.object({ start: z.string().datetime(), end: z.string().datetime() })),
  })
  .openapi("FreeIntervals");

const route = defineRoute({
  operationId: "getProviderAvailability",
  errors: [404],

  method: "get",
  path: "/providers/{id}/availability",
  tags: ["provider"],
  summary: "Free intervals of a provider (UTC)",
  description: `Weekly plan minus time off minus active bookings, within [from, to) (default: the next 7 days; at most ${MAX_RANGE_DAYS}).`,
  request: {
    params: z.object({ id: pathId }),
    query: Query,
  },
  responses: {
    200: { description: "Free intervals", content: json(Free) },
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
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("to", "end_after_start")]) });
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new ApiError("invalid_input", {
        details: validationDetails([fieldIssue("to", "range_max_days", { days: MAX_RANGE_DAYS })]),
      });
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
