// The /notifications service: where a user's pushes go and their notification preferences (delivery itself is the
// notifications worker).
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerDeviceRegister } from "./devices-register";
import { registerDeviceUnregister } from "./devices-unregister";
import { registerPreferencesGet } from "./preferences-get";
import { registerPreferencesUpdate } from "./preferences-update";

export const notifications = createApp();
registerHealth(notifications, "notifications");
registerDeviceRegister(notifications);
registerDeviceUnregister(notifications);
registerPreferencesGet(notifications);
registerPreferencesUpdate(notifications);
