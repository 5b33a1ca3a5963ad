// GET /booking/bookings/{id}/audit: every step of a booking, for those who may see the booking (else 404).
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { rows } from "../../../../platform/pg/sql";
import { requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";
import { BOOKING_AUDIT } from "../../queries/booking";
import { BookingIdParam as Id, security, visibleBooking } from "../shared/booking";

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

export function registerBookingAudit(app: App) {
  app.openapi(audit, async (c) => {
    const { id } = c.req.valid("param");
    await visibleBooking(c, id);
    const trail = await rows(pgReader(c.env, `booking:${id}`), BOOKING_AUDIT, { booking_id: id });
    const entries = trail.map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
    return c.json({ booking_id: id, entries }, 200);
  });
}
