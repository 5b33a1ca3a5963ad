// POST /booking/offers/{id}/decline: the offered provider says no. The customer never learns who declined; when
// every offer of the wave is answered the next wave goes out at once. Declining again answers the same.
import { z } from "@hono/zod-openapi";
import { jobRequest } from "../../../../durable-objects/job-request/client";
import { text } from "../../../../lib/input";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam as Id, security } from "../shared/booking";
import { OFFER_EXAMPLE, OfferSchema, ownOffer, renderAnswer } from "../shared/matching";

const Body = z.object({ reason: text({ max: 500, multiline: true }).optional() }).openapi("OfferDeclineBody");

const route = defineRoute({
  operationId: "declineJobOffer",
  errors: [404, 409],
  method: "post",
  path: "/offers/{id}/decline",
  tags: ["booking"],
  summary: "Decline a job offered to me",
  description:
    "409 when the offer is no longer open. The reason is kept for the platform, never shown to the customer.",
  security,
  middleware: [requireAuth()] as const,
  request: {
    params: Id,
    body: { required: false, content: json(Body, { reason: "I am on another job across town then." }) },
  },
  responses: {
    200: {
      description: "The offer, declined",
      content: json(OfferSchema, { ...OFFER_EXAMPLE, status: "declined", responded_at: "2027-01-09T10:00:20.000Z" }),
    },
  },
});

export function registerDeclineJobOffer(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const mine = await ownOffer(c, id);
    const answer = await jobRequest(c.env, mine.requestId).decline({
      requestId: mine.requestId,
      offerId: id,
      providerUserId: mine.userId,
      reason: body.reason,
    });
    return c.json(renderAnswer(answer), 200);
  });
}
