// The /notifications service: a user's notification preferences (delivery itself is the notifications worker).
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerPreferences } from "./preferences";

export const notifications = createApp();
registerHealth(notifications, "notifications");
registerPreferences(notifications);
