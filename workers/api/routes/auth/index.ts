// The /auth service: its sub-app, mounted by the gateway at /auth.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const auth = createApp();
registerHealth(auth, "auth");
