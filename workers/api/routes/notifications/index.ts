// The /notifications service: its sub-app, mounted by the gateway at /notifications.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const notifications = createApp();
registerHealth(notifications, "notifications");
