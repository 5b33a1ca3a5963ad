// The seed's event envelope for every booking transition, as lib/messages.ts defines it for the booking-events
// queue. title and body are the English defaults; the notifications worker renders each recipient's own language.
import type { z } from "zod";
import { eventType } from "../../lib/booking-machine";
import type { BookingStatus } from "../../lib/enums";
import type { BookingEventMessage } from "../../lib/messages";
import type { BookingView } from "./views";

/**
 * What the step knows about its change (the event id and time are added here): the message's meta fields, without
 * the index signature its schema allows for fields a newer producer may add.
 */
export type EventMeta = Omit<z.infer<z.ZodObject<typeof BookingEventMessage.shape.meta.shape>>, "event_id" | "at">;

const TITLES: Record<BookingStatus, string> = {
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
  meta: EventMeta,
  at: Date = new Date(),
): BookingEventMessage {
  const verb = TITLES[booking.status].split(" ")[1];
  return {
    type: eventType(booking.status),
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
