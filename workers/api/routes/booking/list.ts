// GET /booking/bookings: my bookings, newest first, as customer or as provider; cursor-paged, through a warm
// connection.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { openCursor, signCursor } from "../../../../lib/cursor";
import { BookingStatus, Role } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import { CUSTOMER_BOOKINGS, PROVIDER_BOOKINGS } from "../../queries/booking";
import { BookingSchema, security } from "../shared/booking";
import { BOOKING_EXAMPLE, CONFIRMED_CARD_BOOKING_EXAMPLE } from "../shared/examples";
import { queryInteger } from "../shared/params";

const ListQuery = z.object({
  role: Role.extract(["customer", "provider"]).default("customer"),
  status: BookingStatus.optional(),
  limit: queryInteger({ min: 1, max: 50 }).default(20),
  cursor: z.string().max(256).optional().openapi({ description: "next_cursor of the previous page of the same list" }),
});

/** The list's position: the id of the last booking shown (newest first). */
const BeforeId = z.tuple([idValue]);

const list = defineRoute({
  operationId: "listBookings",

  method: "get",
  path: "/bookings",
  tags: ["booking"],
  summary: "My bookings, newest first (as customer, or as provider)",
  security,
  middleware: [requireAuth()] as const,
  request: { query: ListQuery },
  responses: {
    200: {
      description: "A page of bookings",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(BookingSchema), next_cursor: z.string().nullable() }),
          example: { items: [CONFIRMED_CARD_BOOKING_EXAMPLE, BOOKING_EXAMPLE], next_cursor: null },
        },
      },
    },
  },
});

export function registerListBookings(app: App) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const me = caller(c);
    // Bound to the user and the list: a cursor from another person or another filter does not open.
    const scope = `bookings:${me.userId}:${q.role}:${q.status ?? ""}`;
    const secret = c.var.config.OTP_HMAC_SECRET;
    const position = q.cursor ? await openCursor(secret, scope, q.cursor) : undefined;
    const beforeId = position === undefined ? undefined : BeforeId.safeParse(position);
    if (beforeId && !beforeId.success)
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("cursor", "foreign_cursor")]) });
    const found = await rows(
      pgReader(c.env, `user:${me.userId}`),
      q.role === "customer" ? CUSTOMER_BOOKINGS : PROVIDER_BOOKINGS,
      {
        user_id: me.userId,
        status: q.status ?? null,
        before_id: beforeId?.success ? beforeId.data[0] : null,
        limit: q.limit + 1,
      },
    );
    const page = found.slice(0, q.limit).map((r) => r.view);
    const last = page[page.length - 1];
    return c.json(
      { items: page, next_cursor: found.length > q.limit && last ? await signCursor(secret, scope, [last.id]) : null },
      200,
    );
  });
}
