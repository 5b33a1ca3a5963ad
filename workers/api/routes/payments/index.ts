// The /payments service: its sub-app, mounted by the gateway at /payments.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const payments = createApp();
registerHealth(payments, "payments");
