// The /booking service: create, transitions, reads. Every write goes through the provider's Durable Object.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerCreateBooking } from "./create";
import { registerBookingReads } from "./read";
import { registerTransitions } from "./transition";

export const booking = createApp();
registerHealth(booking, "booking");
registerCreateBooking(booking);
registerTransitions(booking);
registerBookingReads(booking);
