// Gateway worker entry: the Hono app for HTTP. Durable Object classes are exported here so wrangler can bind them.
import { buildApp } from "./app";
import { sweepOutbox } from "./scheduled";

export { PgReader } from "../../durable-objects/pg-reader/pg-reader";
export { ProviderBookings } from "../../durable-objects/provider-bookings/provider-bookings";

const app = buildApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweepOutbox(env));
  },
} satisfies ExportedHandler<Env>;
