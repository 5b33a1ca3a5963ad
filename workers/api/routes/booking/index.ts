// The /booking service: create, transitions, reads. Every write goes through the provider's Durable Object.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerBookingAudit } from "./audit";
import { registerCreateBooking } from "./create";
import { registerDispute } from "./dispute";
import { registerGetBooking } from "./get";
import { registerListBookings } from "./list";
import { registerTransitions } from "./transition";

export const booking = createApp();
registerHealth(booking, "booking");
registerCreateBooking(booking);
registerTransitions(booking);
registerGetBooking(booking);
registerBookingAudit(booking);
registerListBookings(booking);
registerDispute(booking);
