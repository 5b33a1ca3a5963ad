// Scenario: bookings created across many providers at once, each through its provider's Durable Object.
import { ratioCheck } from "../lib/auth.mjs";
import { bookableProviders, createBookingRequest, customerToken, slotMaker } from "../lib/booking.mjs";

// Kept modest: each provider's object holds a Postgres connection while busy (see README, "connections").
export const PROVIDERS = 48;

export default {
  name: "booking-create",
  description: `POST /booking/bookings across ${PROVIDERS} providers: DO mutex + one Postgres transaction + outbox relay`,
  connections: 32,
  duration_s: 10,
  target: "p95 <= 4x baseline, no errors",
  async setup({ base }) {
    const providers = (await bookableProviders(PROVIDERS)).map((p) => p.id);
    const token = await customerToken(base);
    const slot = slotMaker(1);
    return {
      requests: [createBookingRequest(providers, token, slot)],
      check: ratioCheck("p95", 4),
    };
  },
};
