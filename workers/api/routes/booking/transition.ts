// POST /booking/bookings/{id}/accept|decline|confirm|complete|cancel: one step of the booking process.
import { z } from "@hono/zod-openapi";
import { bookingProvider, providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { BookingAction } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import {
  allowedReturnUrl,
  BookingSchema,
  IdempotencyHeader,
  ReturnUrlField,
  renderOutcome,
  requestHash,
} from "../shared/booking";
import { pathId } from "../shared/params";

/** Every step but expire, which only the object's own timer takes. */
const ACTIONS = BookingAction.exclude(["expire"]).options;
type StepAction = (typeof ACTIONS)[number];

const WHO: Record<StepAction, string> = {
  accept:
    "The provider accepts a PENDING booking. The customer then has until confirm_deadline (24 h by default, never " +
    "past the start) to confirm, or the booking EXPIRES.",
  decline: "The provider declines a PENDING booking.",
  confirm:
    "The customer confirms an ACCEPTED booking and pays into escrow: a card is held at once (402 when declined); " +
    "bKash and Nagad answer 202 with payment.redirect_url, and the booking confirms when the wallet's verified " +
    "callback arrives. Cash needs no hold.",
  complete:
    "The provider completes a CONFIRMED booking, from its start time on, and the money is taken: a card hold is " +
    "captured; if the hold is gone (cancelled or lapsed at Stripe), the saved card is held again and captured, and " +
    "a decline answers 402 with the booking still CONFIRMED. Cash is recorded as due.",
  cancel:
    "The customer (PENDING, ACCEPTED, CONFIRMED) or the provider (ACCEPTED, CONFIRMED) cancels. Free before acceptance " +
    "or more than 24 h before the start; a late customer cancel costs one hour of the rate, kept from the money held " +
    "(a card hold, a wallet payment). With nothing held (an ACCEPTED booking not yet confirmed, a cash booking, a " +
    "hold that lapsed) there is nothing to keep it from, so it is free: fee_poisha 0, policy nothing_held.",
};

/** confirm with a wallet: the booking stays ACCEPTED until the wallet's verified callback. */
const WALLET_PENDING = {
  202: {
    description: "confirm with a wallet: still ACCEPTED, waiting for the customer's approval at payment.redirect_url",
    content: { "application/json": { schema: BookingSchema } },
  },
};

const EXAMPLES: Record<StepAction, z.input<typeof Body>> = {
  accept: {},
  decline: { reason: "I am fully booked that day." },
  confirm: {},
  complete: {},
  cancel: { reason: "Our plans changed, sorry." },
};

const Body = z.object({ reason: text({ max: 500, multiline: true }).optional() }).openapi("TransitionBody");
/** confirm may name where this payment attempt's wallet return goes, instead of the booking's return_url. */
const ConfirmBody = Body.extend({
  return_url: ReturnUrlField.optional().openapi({
    description:
      "For the payment attempt this confirm starts (not stored on the booking): overrides the booking's return_url. " +
      "An attempt already open at the wallet keeps the one it started with.",
  }),
}).openapi("ConfirmBody");

export function registerTransitions(app: App) {
  for (const action of ACTIONS) {
    // Only confirm answers 202 (a wallet's approval page); confirm and complete can meet a declined card (402).
    const route = defineRoute({
      operationId: `${action}Booking`,
      errors: action === "confirm" || action === "complete" ? [402, 403, 404, 409, 422] : [403, 404, 409, 422],
      idempotent: true,
      method: "post",
      path: `/bookings/{id}/${action}`,
      tags: ["booking"],
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a booking`,
      description: WHO[action],
      security: [{ bearerAuth: [] }],
      middleware: [requireAuth()] as const,
      request: {
        params: z.object({ id: pathId }),
        headers: IdempotencyHeader,
        body: {
          required: false,
          content: {
            "application/json": { schema: action === "confirm" ? ConfirmBody : Body, example: EXAMPLES[action] },
          },
        },
      },
      responses: {
        200: { description: "The booking after the step", content: { "application/json": { schema: BookingSchema } } },
        ...(action === "confirm" ? WALLET_PENDING : {}),
      },
    });
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      const key = c.req.valid("header")["idempotency-key"];
      // The body is optional: curl -X POST with no body is a valid step.
      const input = c.req.valid("json");
      // Only confirm's schema has the field (the route's body type is the union's common part).
      const raw = "return_url" in input && typeof input.return_url === "string" ? input.return_url : undefined;
      const returnUrl = allowedReturnUrl(c, raw);
      // Hashed as the allow-list normalized it, as the create does.
      const body = returnUrl === undefined ? input : { ...input, return_url: returnUrl };
      const me = caller(c);
      const providerId = await bookingProvider(c.env, id);
      if (providerId === null) throw new ApiError("not_found");
      const path = `/booking/bookings/${id}/${action}`;
      const outcome = await providerBookings(c.env, providerId).transition({
        providerId,
        bookingId: id,
        action,
        actor: { userId: me.userId, role: me.role },
        reason: body.reason,
        clientIp: c.req.header("cf-connecting-ip"),
        returnUrl,
        idempotency: key
          ? { key, method: "POST", path, requestHash: await requestHash("POST", path, body) }
          : undefined,
      });
      const ok = renderOutcome(c, outcome);
      return ok.status === 202 ? c.json(ok.body, 202) : c.json(ok.body, 200);
    });
  }
}
