// Scenario: a booking's whole life, four requests an iteration: create, accept (provider), confirm (customer), and
// complete (provider) of an earlier booking whose start time has come (completion is refused before the start).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { login, ratioCheck } from "../lib/auth.mjs";
import { bookableProviders } from "../lib/booking.mjs";
import { mintAccessToken } from "../lib/tokens.mjs";
import { PROVIDERS } from "./booking-create.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Bookings start this far ahead: long enough to be in the future at create, short enough to be due soon. */
const LEAD_MS = 500;

export default {
  name: "booking-lifecycle",
  description: "create -> accept -> confirm -> complete across providers, all four steps measured together",
  connections: 4,
  duration_s: 10,
  target: "p95 <= 6x baseline, no errors",
  async setup({ base }) {
    const customer = (await login(base, "+8801700000001")).access_token;
    const free = await Promise.all(
      (await bookableProviders(PROVIDERS)).map(async (p) => ({
        ...p,
        token: await mintAccessToken(root, { userId: p.user_id, role: "provider" }),
      })),
    );
    const due = []; // confirmed bookings waiting for their start: { booking, provider }
    const json = (token) => ({ "content-type": "application/json", authorization: `Bearer ${token}` });
    return {
      requests: [
        {
          method: "POST",
          path: "/booking/bookings",
          setupRequest(req, context) {
            // A provider is busy from create until its booking completes; take a free one.
            context.provider = free.shift();
            const start = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
            return {
              ...req,
              headers: { ...json(customer), "idempotency-key": crypto.randomUUID() },
              body: JSON.stringify({
                provider_id: context.provider?.id ?? 0,
                service_type: "driver",
                start_date: new Date(start).toISOString(),
                end_date: new Date(start + 30 * 60_000).toISOString(),
              }),
            };
          },
          onResponse(status, body, context) {
            if (status === 201) context.booking = JSON.parse(body);
            else if (context.provider) free.push(context.provider);
          },
        },
        {
          method: "POST",
          setupRequest: (req, context) => ({
            ...req,
            path: `/booking/bookings/${context.booking?.id ?? 0}/accept`,
            headers: json(context.provider?.token ?? ""),
          }),
        },
        {
          method: "POST",
          setupRequest: (req, context) => ({
            ...req,
            path: `/booking/bookings/${context.booking?.id ?? 0}/confirm`,
            headers: json(customer),
          }),
          onResponse(status, _body, context) {
            if (status === 200) due.push({ booking: context.booking, provider: context.provider });
          },
        },
        {
          method: "POST",
          setupRequest(req, context) {
            const i = due.findIndex((d) => Date.parse(d.booking.start_date) <= Date.now());
            context.completing = i >= 0 ? due.splice(i, 1)[0] : undefined;
            const d = context.completing;
            return {
              ...req,
              path: `/booking/bookings/${d?.booking.id ?? 0}/complete`,
              headers: json(d?.provider.token ?? customer),
            };
          },
          onResponse(status, _body, context) {
            if (status === 200 && context.completing) free.push(context.completing.provider);
          },
        },
      ],
      check: ratioCheck("p95", 6),
    };
  },
};
