// The seed's event envelope for every booking transition. title and body are the English defaults; the
// notifications worker renders each recipient's own language.
import { eventType, type Status } from "../../lib/booking-machine";
import type { BookingView } from "./types";

export interface BookingEvent {
  type: string;
  id: number;
  actor_id: number | null;
  customer_id: number;
  provider_id: number;
  status: Status;
  title: string;
  body: string;
  meta: Record<string, unknown> & { event_id: string; at: string };
}

const TITLES: Record<Status, string> = {
  PENDING: "Booking created",
  ACCEPTED: "Booking accepted",
  CONFIRMED: "Booking confirmed",
  COMPLETED: "Booking completed",
  CANCELED: "Booking canceled",
  DECLINED: "Booking declined",
  EXPIRED: "Booking expired",
};

/**
 * The event for a booking as it is after a change. A booking being created has no id yet: pass id 0 and the
 * statement that inserts it fills `id`, and the `#?` in `body`, from the new row (see finishChange).
 */
export function bookingEvent(
  booking: Pick<BookingView, "id" | "status" | "customer_id" | "provider_id">,
  actorId: number | null,
  meta: Record<string, unknown>,
  at: Date = new Date(),
): BookingEvent {
  const verb = TITLES[booking.status].split(" ")[1];
  return {
    type: booking.status === "PENDING" ? "booking.created" : eventType(booking.status),
    id: booking.id,
    actor_id: actorId,
    customer_id: booking.customer_id,
    provider_id: booking.provider_id,
    status: booking.status,
    title: TITLES[booking.status],
    body: `Booking #${booking.id || "?"} ${verb}`,
    meta: { ...meta, event_id: crypto.randomUUID(), at: at.toISOString() },
  };
}
