// GET /booking/bookings/{id}, GET /booking/bookings and GET /booking/bookings/{id}/audit: reads, through a warm
// connection, for the booking's customer, its provider, and admins. Anyone else gets 404: nothing leaks.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { summary } from "../../../../durable-objects/provider-bookings/client";
import { BookingStatus, Role } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { first, rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { type App, errorResponses } from "../../openapi";
import { BOOKING_AUDIT, CUSTOMER_BOOKINGS, PROVIDER_BOOKINGS, VISIBLE_BOOKING } from "../../queries/booking";
import { decodeCursor, encodeCursor } from "../../search/cursor";
import { BookingSchema } from "../shared/booking";

const Id = z.object({ id: z.coerce.number().int().positive() });
const security = [{ bearerAuth: [] }];

/** The booking, if the caller may see it: its customer, its provider's user, or an admin. */
async function visibleBooking(c: Context<AppEnv>, id: number) {
  const me = caller(c);
  const row = await first(pgReader(c.env, `booking:${id}`), VISIBLE_BOOKING, { booking_id: id });
  if (!row) throw new ApiError("not_found");
  const allowed = me.role === "admin" || row.customer_id === me.userId || row.provider_user_id === me.userId;
  if (!allowed) throw new ApiError("not_found");
  return { ...row.view, payment: summary(row.payment) };
}

const getOne = createRoute({
  method: "get",
  path: "/bookings/{id}",
  tags: ["booking"],
  summary: "A booking",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: { description: "The booking", content: { "application/json": { schema: BookingSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const AuditEntry = z
  .object({
    action: z.string(),
    actor_id: z.number().int().nullable(),
    from_status: z.string().nullable(),
    to_status: z.string().nullable(),
    meta: z.record(z.string(), z.unknown()),
    created_at: z.string().datetime(),
  })
  .openapi("AuditEntry");

const audit = createRoute({
  method: "get",
  path: "/bookings/{id}/audit",
  tags: ["booking"],
  summary: "Every step of a booking, oldest first",
  security,
  middleware: [requireAuth()] as const,
  request: { params: Id },
  responses: {
    200: {
      description: "Audit trail",
      content: {
        "application/json": { schema: z.object({ booking_id: z.number().int(), entries: z.array(AuditEntry) }) },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

const ListQuery = z.object({
  role: Role.extract(["customer", "provider"]).default("customer"),
  status: BookingStatus.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(256).optional(),
});

const list = createRoute({
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
        "application/json": { schema: z.object({ items: z.array(BookingSchema), next_cursor: z.string().nullable() }) },
      },
    },
    ...errorResponses(400, 401),
  },
});

export function registerBookingReads(app: App) {
  app.openapi(getOne, async (c) => c.json(await visibleBooking(c, c.req.valid("param").id), 200));

  app.openapi(audit, async (c) => {
    const { id } = c.req.valid("param");
    await visibleBooking(c, id);
    const trail = await rows(pgReader(c.env, `booking:${id}`), BOOKING_AUDIT, { booking_id: id });
    const entries = trail.map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
    return c.json({ booking_id: id, entries }, 200);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const me = caller(c);
    const scope = `${me.userId}:${q.role}:${q.status ?? ""}`;
    const after = q.cursor ? decodeCursor(scope, q.cursor) : undefined;
    if (after === null)
      throw new ApiError("invalid_input", { details: [{ path: "cursor", message: "not a cursor of this list" }] });
    const found = await rows(
      pgReader(c.env, `user:${me.userId}`),
      q.role === "customer" ? CUSTOMER_BOOKINGS : PROVIDER_BOOKINGS,
      {
        user_id: me.userId,
        status: q.status ?? null,
        before_id: after ? after[2] : null,
        limit: q.limit + 1,
      },
    );
    const page = found.slice(0, q.limit).map((r) => r.view);
    const last = page[page.length - 1];
    return c.json(
      { items: page, next_cursor: found.length > q.limit && last ? encodeCursor(scope, [0, 0, last.id]) : null },
      200,
    );
  });
}
