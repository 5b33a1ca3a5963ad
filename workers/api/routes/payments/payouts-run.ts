// POST /payments/payouts/run {provider_id?}: an admin's "pay now": every provider with something available (or
// one), through each provider's object, which never pays twice (one open payout each, under its lock).
import { z } from "@hono/zod-openapi";
import { idValue } from "../../../../lib/input";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { runPayouts } from "../../payouts/run";
import { security } from "../shared/booking";
import { PayoutSchema, payoutView } from "./schemas";

const Body = z.object({ provider_id: idValue.optional() }).openapi("PayoutRun");

const route = defineRoute({
  operationId: "runPayouts",
  errors: [403],
  method: "post",
  path: "/payouts/run",
  tags: ["payments"],
  summary: "Admin: pay out now",
  description:
    "Starts a payout for every provider (or the one named) whose available earnings, less cash commission owed, " +
    "reach the minimum. An admin's run skips the approval hold. Safe to repeat: a provider with an open payout is " +
    "skipped, and what was paid is no longer available.",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { body: { required: false, content: json(Body, { provider_id: 1 }) } },
  responses: {
    200: {
      description: "The payouts this run started",
      content: json(
        z.object({ run_id: z.number().int(), items: z.array(PayoutSchema), skipped: z.record(z.string(), z.number()) }),
      ),
    },
  },
});

export function registerRunPayouts(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const out = await runPayouts(c.env, c.var.services.pool(), {
      kind: "manual",
      adminId: caller(c).userId,
      providerId: body.provider_id ?? null,
    });
    // A manual run is never refused by the schedule, so `out` is always set.
    return c.json(
      { run_id: out?.run_id ?? 0, items: (out?.items ?? []).map(payoutView), skipped: out?.skipped ?? {} },
      200,
    );
  });
}
