// The /provider service: its sub-app, mounted by the gateway at /provider.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const provider = createApp();
registerHealth(provider, "provider");
