// The /payments service: gateway webhooks and callbacks (holds and captures run inside the booking engine).
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerStripeWebhook } from "./stripe-webhook";

export const payments = createApp();
registerHealth(payments, "payments");
registerStripeWebhook(payments);
