// Scenario: 200 simultaneous requests for one provider's one slot. Exactly one wins; the rest are 409, never 5xx.
import { bookableProviders, countBookings, customerToken, slotMaker } from "../lib/booking.mjs";

const REQUESTS = 200;

export default {
  name: "booking-conflict",
  description: `${REQUESTS} concurrent POST /booking/bookings for the same slot (distinct Idempotency-Keys)`,
  connections: REQUESTS,
  amount: REQUESTS,
  duration_s: 10,
  target: "exactly 1 created, 199 conflicts, zero 5xx; report p99",
  async setup({ base }) {
    const [{ id: providerId }] = await bookableProviders(1);
    const token = await customerToken(base, "+8801700000003");
    const window = slotMaker(2)(providerId);
    return {
      requests: [
        {
          method: "POST",
          path: "/booking/bookings",
          setupRequest: (req) => ({
            ...req,
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${token}`,
              "idempotency-key": crypto.randomUUID(),
            },
            body: JSON.stringify({ provider_id: providerId, service_type: "driver", ...window }),
          }),
        },
      ],
      async check({ target }) {
        const s = target.statuses;
        const created = s[201] ?? 0;
        const conflicts = s[409] ?? 0;
        const fivexx = Object.entries(s)
          .filter(([code]) => Number(code) >= 500)
          .reduce((n, [, c]) => n + c, 0);
        const rows = await countBookings("provider_id = $1 AND start_date = $2", [providerId, window.start_date]);
        return {
          ok: created === 1 && conflicts === REQUESTS - 1 && fivexx === 0 && rows === 1 && target.errors === 0,
          text: `${created} created, ${conflicts} conflicts, ${fivexx} 5xx, ${target.errors} errors, ${rows} row(s) in Postgres; p99 ${target.p99_all} ms over all answers`,
        };
      },
    };
  },
};
