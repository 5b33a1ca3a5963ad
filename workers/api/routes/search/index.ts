// The /search service: its sub-app, mounted by the gateway at /search.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";

export const search = createApp();
registerHealth(search, "search");
