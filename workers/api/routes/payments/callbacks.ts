// GET /payments/callbacks/bkash and /payments/callbacks/nagad: where a wallet sends the customer back after the
// approval page. The query string is only a hint of what happened: the booking's object asks the gateway itself
// (bKash execute, Nagad verify), checks the amount, and only then confirms. Replays find the work done.
// Anyone holding the URL can replay it, so the answer never shows the booking: a 303 to the attempt's return_url
// with only booking_id and outcome, or, without one, {booking_id, status, outcome}; errors carry no details.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { type Outcome, PAYMENT_SYSTEM, providerBookings } from "../../../../durable-objects/provider-bookings/client";
import { BookingStatus, type LedgerGateway, WalletOutcome } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { checkReturnUrl, returnLocation } from "../../../../lib/return-url";
import { first } from "../../../../platform/pg/sql";
import { enforceLimit } from "../../auth/limits";
import type { AppEnv } from "../../context";
import { type App, defineRoute, responseHeaders } from "../../openapi";
import { PAYMENT_BY_REF } from "../../queries/payments";
import { renderOutcome } from "../shared/booking";

/** What a wallet return answers without a return_url: enough for the app to look the booking up, nothing more. */
const WalletReturn = z
  .object({
    booking_id: z.number().int(),
    status: BookingStatus,
    outcome: WalletOutcome,
  })
  .openapi("WalletReturn");

const Ref = z.string().min(1).max(255);

const GATEWAYS = {
  bkash: {
    query: z.object({
      paymentID: Ref,
      // success | failure | cancel: only a hint, so any short word is taken.
      status: z.string().max(32).optional(),
    }),
    ref: (q: Record<string, string | undefined>) => q.paymentID,
  },
  nagad: {
    query: z.object({
      payment_ref_id: Ref,
      order_id: z.string().max(64).optional(),
      status: z.string().max(32).optional(),
      status_code: z.string().max(32).optional(),
      merchant: z.string().max(64).optional(),
      message: z.string().max(255).optional(),
      payment_dt: z.string().max(32).optional(),
      issuer_payment_ref: z.string().max(64).optional(),
    }),
    ref: (q: Record<string, string | undefined>) => q.payment_ref_id,
  },
} as const;

/**
 * The outcome of a verified return. An outage (the gateway did not answer, the object failed) is "pending": the
 * reconciler asks the gateway again, and the app reads the booking for the truth.
 */
function outcomeOf(o: Outcome): WalletOutcome {
  if (o.ok) return o.body.status === "CONFIRMED" ? "confirmed" : "pending";
  if (o.code === "dependency_unavailable" || o.code === "internal") return "pending";
  return o.message === "payment_canceled" ? "canceled" : "failed";
}

/** Asks the booking's object to settle the payment (it verifies with the gateway itself). */
function settle(c: Context<AppEnv>, target: { booking_id: number; provider_id: number }): Promise<Outcome> {
  return providerBookings(c.env, target.provider_id).transition({
    providerId: target.provider_id,
    bookingId: target.booking_id,
    action: "confirm",
    actor: PAYMENT_SYSTEM,
    via: "callback",
  });
}

/** Finds the booking a gateway's payment reference belongs to. */
function bookingOf(c: Context<AppEnv>, gateway: LedgerGateway, ref: string) {
  return first(pgReader(c.env, `payment:${gateway}:${ref}`), PAYMENT_BY_REF, { gateway, ref });
}

export function registerCallbacks(app: App) {
  for (const gateway of ["bkash", "nagad"] as const) {
    const spec = GATEWAYS[gateway];
    const route = defineRoute({
      operationId: `${gateway}Callback`,
      errors: [402, 404, 409, 429],
      method: "get",
      path: `/callbacks/${gateway}`,
      tags: ["payments"],
      summary: `${gateway === "bkash" ? "bKash" : "Nagad"} return URL`,
      description:
        "The wallet redirects the customer here. The payment is verified with the gateway server to server; the " +
        "booking becomes CONFIRMED only when the gateway reports the full amount held (bKash) or paid (Nagad). " +
        "The URL is public and may be replayed, so no answer shows the booking. With a return_url (the confirm's, " +
        "else the booking's): 303 to it with only `booking_id` and `outcome` added, also when verification failed " +
        "(outcome failed or canceled) or the gateway did not answer (pending). Without one: `WalletReturn`, or an " +
        "error without details. An unknown payment (404), a bad query (400) and too many returns (429) stay errors.",
      request: { query: spec.query },
      responses: {
        200: {
          description: "Verified: the booking is CONFIRMED (no return_url)",
          content: { "application/json": { schema: WalletReturn } },
        },
        202: {
          description: "Not approved yet (no return_url)",
          content: { "application/json": { schema: WalletReturn } },
        },
        303: {
          description: "Back to the app: the return_url with `booking_id` and `outcome` (WalletOutcome) set",
          headers: responseHeaders("Location"),
        },
      },
    });
    app.openapi(route, async (c) => {
      const ref = spec.ref(c.req.valid("query") as Record<string, string | undefined>) ?? "";
      await enforceLimit(c.var.services.redis(), "paymentCallbackPerRef", `${gateway}:${ref}`);
      const target = await bookingOf(c, gateway, ref);
      if (!target) throw new ApiError("not_found", { message: "unknown_payment" });
      const bookingId = target.booking_id;
      // Checked again against today's allow-list: a prefix removed since the attempt started sends nobody there.
      const back = target.return_url ? checkReturnUrl(target.return_url, c.var.config.returnRules) : null;
      if (back?.ok) {
        // Back to the app whatever happened; an object that did not answer is "not settled yet", not a dead end.
        const outcome = await settle(c, target).catch(() => null);
        const result = outcome ? outcomeOf(outcome) : "pending";
        return c.redirect(returnLocation(back.url, bookingId, result), 303);
      }
      const outcome = await settle(c, target);
      const result = outcomeOf(outcome);
      const ok = renderOutcome(c, outcome, {
        details: { kind: "wallet_return", booking_id: bookingId, outcome: result },
      });
      const body = { booking_id: bookingId, status: ok.body.status, outcome: result };
      return ok.status === 202 ? c.json(body, 202) : c.json(body, 200);
    });
  }
}
