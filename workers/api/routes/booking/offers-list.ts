// GET /booking/offers: the jobs offered to the caller's provider profile, newest first; `status=open` lists what
// can still be accepted.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { OfferStatus } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { MY_OFFERS } from "../../queries/matching";
import { security } from "../shared/booking";
import { OFFER_EXAMPLE, OfferSchema } from "../shared/matching";
import { queryInteger } from "../shared/params";

const Query = z.object({
  status: z.enum(OfferStatus.options).optional().openapi({
    description: "open: still to answer (its time running, and no booking of yours at that time since)",
  }),
  limit: queryInteger({ min: 1, max: 50 }).default(20),
  cursor: z.string().max(256).optional().openapi({ description: "next_cursor of the previous page of the same list" }),
});

const BeforeId = z.tuple([idValue]);

const route = defineRoute({
  operationId: "listJobOffers",
  method: "get",
  path: "/offers",
  tags: ["booking"],
  summary: "Jobs offered to me (as a provider)",
  description: "A caller without a provider profile has no offers (an empty list).",
  security,
  middleware: [requireAuth()] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "A page of offers",
      content: json(z.object({ items: z.array(OfferSchema), next_cursor: z.string().nullable() }), {
        items: [OFFER_EXAMPLE],
        next_cursor: null,
      }),
    },
  },
});

export function registerListJobOffers(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const me = caller(c);
    const scope = `offers:${me.userId}:${q.status ?? ""}`;
    const secret = c.var.config.OTP_HMAC_SECRET;
    const position = q.cursor ? await openCursor(secret, scope, q.cursor) : undefined;
    const before = position === undefined ? undefined : BeforeId.safeParse(position);
    if (before && !before.success) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    }
    const found = await rows(pgReader(c.env, `user:${me.userId}`), MY_OFFERS, {
      user_id: me.userId,
      status: q.status ?? null,
      before_id: before?.success ? before.data[0] : null,
      limit: q.limit + 1,
    });
    const page = found.slice(0, q.limit).map((r) => r.view);
    const last = page[page.length - 1];
    const next = found.length > q.limit && last ? await signCursor(secret, scope, [last.id]) : null;
    return c.json({ items: page, next_cursor: next }, 200);
  });
}
