// GET /booking/requests/{id}: a job request, for its customer (and admins). Anyone else gets 404.
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam as Id, security } from "../shared/booking";
import { JobRequestSchema, REQUEST_EXAMPLE, visibleRequest } from "../shared/matching";

const route = defineRoute({
  operationId: "getJobRequest",
  errors: [404],
  method: "get",
  path: "/requests/{id}",
  tags: ["booking"],
  summary: "A job request",
  description:
    "Its status and, once MATCHED, its booking. Nothing about the search itself is shown: not who was asked, not " +
    "who declined.",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: {
      description: "The request",
      content: json(JobRequestSchema, { ...REQUEST_EXAMPLE, status: "MATCHED", booking_id: 1042 }),
    },
  },
});

export function registerGetJobRequest(app: App) {
  app.openapi(route, async (c) => c.json((await visibleRequest(c, c.req.valid("param").id)).view, 200));
}
