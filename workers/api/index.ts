// Gateway worker entry: the Hono app for HTTP. Durable Object classes are exported here so wrangler can bind them.
import { buildApp } from "./app";
import {
  reconcilePayments,
  reconcilePayouts,
  refreshReputation,
  renewCardHolds,
  scheduledPayouts,
  sweepOutbox,
  sweepReviews,
  sweepStalledRequests,
} from "./scheduled";

export { ChatRoom } from "../../durable-objects/chat-room/chat-room";
export { JobRequest } from "../../durable-objects/job-request/job-request";
export { PgReader } from "../../durable-objects/pg-reader/pg-reader";
export { ProviderBookings } from "../../durable-objects/provider-bookings/provider-bookings";

const app = buildApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    // Independent sweeps: one failing (a database blip) must not stop the others.
    ctx.waitUntil(
      Promise.allSettled([
        sweepOutbox(env),
        reconcilePayments(env),
        renewCardHolds(env),
        sweepReviews(env),
        refreshReputation(env),
        scheduledPayouts(env),
        reconcilePayouts(env),
        sweepStalledRequests(env),
      ]),
    );
  },
} satisfies ExportedHandler<Env>;
