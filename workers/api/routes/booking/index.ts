// The /booking service: its sub-app, mounted by the gateway at /booking.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const booking = createApp();
registerHealth(booking, "booking");
