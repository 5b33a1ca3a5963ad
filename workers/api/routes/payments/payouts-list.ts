// GET /payments/payouts: a provider's payouts, newest first; admins see everyone's (or one provider's).
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { ApiError } from "../../../../lib/errors";
import { idValue } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { PAYOUTS_OF } from "../../queries/payouts";
import { security } from "../shared/booking";
import { queryInteger } from "../shared/params";
import { myProviderId, PayoutSchema, payoutView } from "./schemas";

const Query = z.object({
  provider_id: queryInteger({ min: 1, max: Number.MAX_SAFE_INTEGER })
    .optional()
    .openapi({ description: "Admins only." }),
  limit: queryInteger({ min: 1, max: 50 }).default(20),
  cursor: z.string().max(256).optional(),
});

const route = defineRoute({
  operationId: "listPayouts",
  errors: [403, 404],
  method: "get",
  path: "/payouts",
  tags: ["payments"],
  summary: "Payouts, newest first (a provider's own; admins: all)",
  security,
  middleware: [requireAuth(["provider", "admin"])] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "A page of payouts",
      content: json(z.object({ items: z.array(PayoutSchema), next_cursor: z.string().nullable() })),
    },
  },
});

const BeforeId = z.tuple([idValue]);

export function registerListPayouts(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const admin = caller(c).role === "admin";
    const providerId = admin ? (q.provider_id ?? null) : await myProviderId(c);
    const scope = `payouts:${caller(c).userId}:${providerId ?? ""}`;
    const secret = c.var.config.OTP_HMAC_SECRET;
    const position = q.cursor ? BeforeId.safeParse(await openCursor(secret, scope, q.cursor)) : undefined;
    if (position && !position.success) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    }
    const found = await rows(pgReader(c.env, "payouts"), PAYOUTS_OF, {
      provider_id: providerId,
      before_id: position?.success ? position.data[0] : null,
      limit: q.limit,
    });
    const page = found.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json(
      {
        items: page.map(payoutView),
        next_cursor: found.length > q.limit && last ? await signCursor(secret, scope, [last.id]) : null,
      },
      200,
    );
  });
}
