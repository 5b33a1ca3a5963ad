// The /booking service: bookings (create, transitions, reads), every write through the provider's Durable Object;
// and matching (job requests and the offers they send), every write through the request's Durable Object.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerBookingAudit } from "./audit";
import { registerCreateBooking } from "./create";
import { registerGetBooking } from "./get";
import { registerListBookings } from "./list";
import { registerAcceptJobOffer } from "./offer-accept";
import { registerDeclineJobOffer } from "./offer-decline";
import { registerListJobOffers } from "./offers-list";
import { registerCancelJobRequest } from "./request-cancel";
import { registerCreateJobRequest } from "./request-create";
import { registerGetJobRequest } from "./request-get";
import { registerTransitions } from "./transition";

export const booking = createApp();
registerHealth(booking, "booking");
registerCreateBooking(booking);
registerTransitions(booking);
registerGetBooking(booking);
registerBookingAudit(booking);
registerListBookings(booking);
registerCreateJobRequest(booking);
registerGetJobRequest(booking);
registerCancelJobRequest(booking);
registerListJobOffers(booking);
registerAcceptJobOffer(booking);
registerDeclineJobOffer(booking);
