// GET /booking/bookings/{id}, GET /booking/bookings and GET /booking/bookings/{id}/audit: reads, through a warm
// connection, for the booking's customer, its provider, and admins. Anyone else gets 404: nothing leaks.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { type PaymentRow, summary } from "../../../../durable-objects/provider-bookings/payments";
import { BOOKING_VIEW, toView } from "../../../../durable-objects/provider-bookings/sql";
import { STATUSES } from "../../../../lib/booking-machine";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { type App, errorResponses } from "../../openapi";
import { decodeCursor, encodeCursor } from "../../search/cursor";
import { BookingSchema } from "./shared";

const Id = z.object({ id: z.coerce.number().int().positive() });
const security = [{ bearerAuth: [] }];

/** The booking, if the caller may see it: its customer, its provider's user, or an admin. */
async function visibleBooking(c: Context<AppEnv>, id: number) {
  const me = caller(c);
  const rows = await pgReader(c.env, `booking:${id}`).read(
    `SELECT ${BOOKING_VIEW}, b.customer_id, p.user_id AS provider_user_id,
            (SELECT to_jsonb(y) FROM payments y WHERE y.booking_id = b.id) AS payment
       FROM bookings b JOIN providers p ON p.id = b.provider_id WHERE b.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new ApiError("not_found");
  const allowed =
    me.role === "admin" || Number(row.customer_id) === me.userId || Number(row.provider_user_id) === me.userId;
  if (!allowed) throw new ApiError("not_found");
  return { ...toView(row.view), payment: summary((row.payment as PaymentRow | null) ?? null) };
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
  role: z.enum(["customer", "provider"]).default("customer"),
  status: z.enum(STATUSES).optional(),
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
    const rows = await pgReader(c.env, `booking:${id}`).read(
      "SELECT action, actor_id, from_status, to_status, meta, created_at FROM audit_log WHERE booking_id = $1 ORDER BY id",
      [id],
    );
    const entries = rows.map((r) => ({
      action: String(r.action),
      actor_id: r.actor_id === null ? null : Number(r.actor_id),
      from_status: (r.from_status as string | null) ?? null,
      to_status: (r.to_status as string | null) ?? null,
      meta: r.meta as Record<string, unknown>,
      created_at: new Date(r.created_at as string).toISOString(),
    }));
    return c.json({ booking_id: id, entries }, 200);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const me = caller(c);
    const scope = `${me.userId}:${q.role}:${q.status ?? ""}`;
    const after = q.cursor ? decodeCursor(scope, q.cursor) : undefined;
    if (after === null)
      throw new ApiError("invalid_input", { details: [{ path: "cursor", message: "not a cursor of this list" }] });
    const who =
      q.role === "customer" ? "b.customer_id = $1" : "b.provider_id = (SELECT id FROM providers WHERE user_id = $1)";
    const rows = await pgReader(c.env, `user:${me.userId}`).read(
      `SELECT ${BOOKING_VIEW} FROM bookings b
        WHERE ${who} AND ($2::text IS NULL OR b.status = $2) AND ($3::bigint IS NULL OR b.id < $3)
        ORDER BY b.id DESC LIMIT $4`,
      [me.userId, q.status ?? null, after ? after[2] : null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit).map((r) => toView(r.view));
    const last = page[page.length - 1];
    return c.json(
      { items: page, next_cursor: rows.length > q.limit && last ? encodeCursor(scope, [0, 0, last.id]) : null },
      200,
    );
  });
}
