// The /booking service: create, transitions, reads, and the reviews of completed bookings. Every write goes through the provider's Durable Object.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerBookingAudit } from "./audit";
import { registerCreateBooking } from "./create";
import { registerCustomerRating } from "./customer-rating";
import { registerDispute } from "./dispute";
import { registerGetBooking } from "./get";
import { registerListBookings } from "./list";
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
