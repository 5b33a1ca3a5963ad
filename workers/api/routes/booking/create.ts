// POST /booking/bookings: books a provider for a window. Requires an Idempotency-Key; runs in the provider's object.
import { z } from "@hono/zod-openapi";
import { providerBookings, rememberOwner } from "../../../../durable-objects/provider-bookings/client";
import { PaymentMethod } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue, instant, text, token } from "../../../../lib/input";
import { gatewayFor } from "../../../../platform/payments/index";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import {
  allowedReturnUrl,
  BookingSchema,
  IdempotencyHeaderRequired,
  ReturnUrlField,
  renderOutcome,
  requestHash,
} from "../shared/booking";
import { BOOKING_EXAMPLE } from "../shared/examples";
import { LatLng } from "../shared/geo";
import { withDefault } from "../shared/params";

const Body = z
  .object({
    provider_id: idValue,
    service_type: z.string().regex(/^[a-z][a-z_]{1,31}$/),
    start_date: instant,
    end_date: instant,
    address: text({ max: 500, multiline: true }).optional(),
    location: LatLng.optional(),
    notes: text({ max: 1000, multiline: true }).optional(),
    payment_method: withDefault(PaymentMethod, "cash"),
    payment_method_id: token(255).optional(),
    return_url: ReturnUrlField.optional(),
  })
  .refine((b) => new Date(b.end_date) > new Date(b.start_date), {
    message: "end_after_start",
    path: ["end_date"],
  })
  .openapi("BookingCreate");

const route = defineRoute({
  operationId: "createBooking",
  errors: [403, 404, 409, 422, 429],
  idempotent: true,

  method: "post",
  path: "/bookings",
  tags: ["booking"],
  summary: "Book a provider",
  description:
    "Abuse limits (configurable; production defaults in lib/policy.ts): a customer may have at most " +
    "BOOKING_MAX_PENDING_PER_CUSTOMER (5) PENDING requests open at once, across providers (429 rate_limited; not " +
    "stored under the key, so the same request may be retried once an answer comes); a provider's Dhaka calendar " +
    "day (of the start) takes at most BOOKING_MAX_PENDING_PER_PROVIDER_DAY (8) PENDING requests from everyone " +
    "together (409 conflict: choose another day); a booking must start within BOOKING_HORIZON_DAYS (365) days " +
    "(400). Once accepted, the customer has BOOKING_CONFIRM_WITHIN_H (24) hours, never past the start, to confirm " +
    "(see confirm_deadline), or the booking EXPIRES.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: {
    headers: IdempotencyHeaderRequired,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: Body,
          example: {
            provider_id: 42,
            service_type: "cook",
            start_date: "2027-01-10T10:00:00+06:00",
            end_date: "2027-01-10T12:00:00+06:00",
            address: "House 12, Road 5, Gulshan 1, Dhaka 1212",
            location: { lat: 23.7925, lng: 90.4152 },
            notes: "Gate code 4411. Please bring an apron.",
            payment_method: "cash",
          },
        },
      },
    },
  },
  responses: {
    201: {
      description:
        "Created, PENDING until the provider accepts. A retry with the same Idempotency-Key and body replays the " +
        "stored answer, status and body alike (201 again, or the same error), with `Idempotent-Replayed: true`.",
      content: { "application/json": { schema: BookingSchema, example: BOOKING_EXAMPLE } },
    },
  },
});

export function registerCreateBooking(app: App) {
  app.openapi(route, async (c) => {
    const key = c.req.valid("header")["idempotency-key"];
    const input = c.req.valid("json");
    // Stored and hashed as the allow-list normalized it: what was checked is what the browser will get.
    const body = { ...input, return_url: allowedReturnUrl(c, input.return_url) };
    // A wallet without credentials in this deployment is refused now, not at confirm.
    if (!gatewayFor(body.payment_method, c.var.config)) {
      throw new ApiError("invalid_input", { message: "payment_method_unavailable" });
    }
    if (body.payment_method === "card" && !body.payment_method_id) {
      throw new ApiError("invalid_input", { message: "payment_method_id_required" });
    }
    const me = caller(c);
    const outcome = await providerBookings(c.env, body.provider_id).create({
      actor: { userId: me.userId, role: me.role },
      body,
      idempotency: {
        key,
        method: "POST",
        path: "/booking/bookings",
        requestHash: await requestHash("POST", "/booking/bookings", body),
      },
    });
    const ok = renderOutcome(c, outcome);
    rememberOwner(ok.body.id, ok.body.provider_id);
    // A create answers 201 only, first time and replay alike: the stored status is the one it had (as Stripe does).
    return c.json(ok.body, 201);
  });
}
