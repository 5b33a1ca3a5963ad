// The /payments service: gateway webhooks, wallet return URLs and support refunds (holds and captures run inside
// the booking engine, in the provider's object).
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerCallbacks } from "./callbacks";
import { registerRefund } from "./refund";
import { registerStripeWebhook } from "./stripe-webhook";

export const payments = createApp();
registerHealth(payments, "payments");
registerStripeWebhook(payments);
registerCallbacks(payments);
registerRefund(payments);
