// POST /booking/requests/{id}/cancel: the customer stops a search; every open offer is withdrawn. Safe to repeat.
import { jobRequest } from "../../../../durable-objects/job-request/client";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam as Id, security } from "../shared/booking";
import { JobRequestSchema, REQUEST_EXAMPLE, renderAnswer, visibleRequest } from "../shared/matching";

const route = defineRoute({
  operationId: "cancelJobRequest",
  errors: [404, 409],
  method: "post",
  path: "/requests/{id}/cancel",
  tags: ["booking"],
  summary: "Cancel a job request",
  description:
    "Only while it is SEARCHING; cancelling again answers the cancelled request. A MATCHED request has a booking " +
    "now: cancel the booking instead (409). NO_PROVIDER is over already (409).",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: {
      description: "The request, CANCELED",
      content: json(JobRequestSchema, {
        ...REQUEST_EXAMPLE,
        status: "CANCELED",
        closed_at: "2027-01-09T10:02:00.000Z",
      }),
    },
  },
});

export function registerCancelJobRequest(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const found = await visibleRequest(c, id);
    // Admins may look, but only the customer cancels their search.
    if (found.customerId !== caller(c).userId) throw new ApiError("not_found");
    const answer = await jobRequest(c.env, id).cancel({ requestId: id, customerId: found.customerId });
    return c.json(renderAnswer(answer), 200);
  });
}
