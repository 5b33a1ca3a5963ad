// GET /booking/bookings/{id}/audit: every step of a booking, for those who may see the booking (else 404).
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { rows } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
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

const audit = defineRoute({
  operationId: "getBookingAudit",
  errors: [404],

  method: "get",
  path: "/bookings/{id}/audit",
  tags: ["booking"],
  summary: "Every step of a booking, oldest first",
  description:
    "Each entry's meta is filtered to what the caller may see: the customer sees who acted and the terms (price, " +
    "fee, refund, policy), the provider also its own user id, an admin everything the step recorded.",
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
  },
});

/**
 * What a party may read of an entry's meta. The audit row keeps everything the step knew (for support); the
 * customer sees the terms and who acted, never the provider's user id. Fields a newer step adds stay hidden from
 * both parties until they are listed here.
 */
const PARTY_META = [
  "actor",
  "price_poisha",
  "start_date",
  "service_type",
  "fee_poisha",
  "refund_poisha",
  "policy",
  "via",
  "event_id",
  // A booking a job request's match made: where it came from (the request is the customer's own).
  "source",
  "request_id",
] as const;
const SEEN_BY: Record<"customer" | "provider", readonly string[]> = {
  customer: PARTY_META,
  provider: [...PARTY_META, "provider_user_id"],
};

function metaFor(party: "customer" | "provider" | "admin", meta: Record<string, unknown>): Record<string, unknown> {
  if (party === "admin") return meta;
  const seen = SEEN_BY[party];
  return Object.fromEntries(Object.entries(meta).filter(([k]) => seen.includes(k)));
}

export function registerBookingAudit(app: App) {
  app.openapi(audit, async (c) => {
    const { id } = c.req.valid("param");
    const booking = await visibleBooking(c, id);
    const me = caller(c);
    const party = me.role === "admin" ? "admin" : me.userId === booking.customer_id ? "customer" : "provider";
    const trail = await rows(pgReader(c.env, `booking:${id}`), BOOKING_AUDIT, { booking_id: id });
    const entries = trail.map((r) => ({
      ...r,
      meta: metaFor(party, r.meta),
      created_at: r.created_at.toISOString(),
    }));
    return c.json({ booking_id: id, entries }, 200);
  });
}
