// POST /booking/offers/{id}/accept: the offered provider takes the job. The first valid acceptance of a request
// becomes its booking (ACCEPTED); every other open offer is withdrawn. Accepting again answers the same.
import { jobRequest } from "../../../../durable-objects/job-request/client";
import { ApiError } from "../../../../lib/errors";
import { requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { BookingIdParam as Id, security, visibleBooking } from "../shared/booking";
import { BOOKING_EXAMPLE } from "../shared/examples";
import { OFFER_EXAMPLE, OfferAcceptedSchema, ownOffer, renderAnswer } from "../shared/matching";

const route = defineRoute({
  operationId: "acceptJobOffer",
  errors: [404, 409],
  method: "post",
  path: "/offers/{id}/accept",
  tags: ["booking"],
  summary: "Accept a job offered to me",
  description:
    "The booking is made through your booking calendar exactly as a customer's booking is (no overlap, audited), " +
    "directly ACCEPTED. 409 when the job is no longer open (another provider took it, it was withdrawn, or its " +
    "time ran out), or when a booking of yours already holds that time (the job then goes to someone else). " +
    "Another provider's offer is 404.",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: {
      description: "Yours: the offer, accepted, and its booking",
      content: json(OfferAcceptedSchema, {
        ...OFFER_EXAMPLE,
        status: "accepted",
        responded_at: "2027-01-09T10:00:20.000Z",
        booking_id: 1042,
        booking: {
          ...BOOKING_EXAMPLE,
          status: "ACCEPTED",
          accept_deadline: null,
          confirm_deadline: "2027-01-10T03:00:00.000Z",
        },
      }),
    },
  },
});

export function registerAcceptJobOffer(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const mine = await ownOffer(c, id);
    const offer = renderAnswer(
      await jobRequest(c.env, mine.requestId).accept({
        requestId: mine.requestId,
        offerId: id,
        providerUserId: mine.userId,
      }),
    );
    if (offer.booking_id === null) throw new ApiError("internal");
    return c.json({ ...offer, booking: await visibleBooking(c, offer.booking_id) }, 200);
  });
}
