// GET /payments/callbacks/bkash and /payments/callbacks/nagad: where a wallet sends the customer back after the
// approval page. The query string is only a hint of what happened: the booking's object asks the gateway itself
// (bKash execute, Nagad verify), checks the amount, and only then confirms. Replays find the work done.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { PAYMENT_SYSTEM, providerBookings } from "../../../../durable-objects/provider-bookings/client";
import type { LedgerGateway } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { first } from "../../../../platform/pg/sql";
import { enforceLimit } from "../../auth/limits";
import type { AppEnv } from "../../context";
import { type App, defineRoute } from "../../openapi";
import { PAYMENT_BY_REF } from "../../queries/payments";
import { BookingSchema, renderOutcome } from "../shared/booking";

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
        "booking becomes CONFIRMED only when the gateway reports the full amount held (bKash) or paid (Nagad).",
      request: { query: spec.query },
      responses: {
        200: {
          description: "Verified: the booking is CONFIRMED",
          content: { "application/json": { schema: BookingSchema } },
        },
        202: { description: "Not approved yet", content: { "application/json": { schema: BookingSchema } } },
      },
    });
    app.openapi(route, async (c) => {
      const ref = spec.ref(c.req.valid("query") as Record<string, string | undefined>) ?? "";
      await enforceLimit(c.var.services.redis(), "paymentCallbackPerRef", `${gateway}:${ref}`);
      const target = await bookingOf(c, gateway, ref);
      if (!target) throw new ApiError("not_found", { message: "unknown_payment" });
      const outcome = await providerBookings(c.env, target.provider_id).transition({
        providerId: target.provider_id,
        bookingId: target.booking_id,
        action: "confirm",
        actor: PAYMENT_SYSTEM,
        via: "callback",
      });
      const ok = renderOutcome(c, outcome);
      return ok.status === 202 ? c.json(ok.body, 202) : c.json(ok.body, 200);
    });
  }
}
