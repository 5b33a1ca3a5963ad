// The /booking service: bookings (create, transitions, reads, disputes, reviews), every booking write through the
// provider's Durable Object; and matching (job requests and the offers they send), through the request's object.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerBookingAudit } from "./audit";
import { registerCreateBooking } from "./create";
import { registerCustomerRating } from "./customer-rating";
import { registerDispute } from "./dispute";
import { registerGetBooking } from "./get";
import { registerListBookings } from "./list";
import { registerAcceptJobOffer } from "./offer-accept";
import { registerDeclineJobOffer } from "./offer-decline";
import { registerListJobOffers } from "./offers-list";
import { registerCancelJobRequest } from "./request-cancel";
import { registerCreateJobRequest } from "./request-create";
import { registerGetJobRequest } from "./request-get";
import { registerReviewSubmit } from "./review-submit";
import { registerBookingReviews } from "./reviews-get";
import { registerTransitions } from "./transition";

export const booking = createApp();
registerHealth(booking, "booking");
registerCreateBooking(booking);
registerTransitions(booking);
registerGetBooking(booking);
registerBookingAudit(booking);
registerListBookings(booking);
registerReviewSubmit(booking);
registerBookingReviews(booking);
registerCustomerRating(booking);
registerDispute(booking);
registerCreateJobRequest(booking);
registerGetJobRequest(booking);
registerCancelJobRequest(booking);
registerListJobOffers(booking);
registerAcceptJobOffer(booking);
registerDeclineJobOffer(booking);
