// The /search service: geospatial provider search.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerSearchProviders } from "./providers";

export const search = createApp();
registerHealth(search, "search");
registerSearchProviders(search);
