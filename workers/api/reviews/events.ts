// Review events as lib/messages.ts defines them for the booking-events queue, built here (the producer) and put in
// the outbox by the statement that makes them true: the publication, or the window marked as announced.
import type { ReviewEventType, ReviewSide } from "../../../lib/enums";
import type { ReviewEventMessage } from "../../../lib/messages";
import { otherSide } from "../../../lib/review-policy";

/** What every review event says about its booking. */
export interface WindowParties {
  booking_id: number;
  customer_id: number;
  provider_id: number;
  provider_user_id: number;
  service_type: string;
}

export function reviewEvent(
  type: ReviewEventType,
  w: WindowParties,
  to: ReviewSide[],
  closesAt: Date,
  at: Date = new Date(),
): ReviewEventMessage {
  return {
    type,
    booking_id: w.booking_id,
    customer_id: w.customer_id,
    provider_id: w.provider_id,
    provider_user_id: w.provider_user_id,
    to,
    meta: {
      event_id: crypto.randomUUID(),
      at: at.toISOString(),
      service_type: w.service_type,
      closes_at: closesAt.toISOString(),
    },
  };
}

/** A prepared announcement of one side's review being published: publish_reviews fills in the review and stars. */
export interface PreparedPublication {
  booking_id: number;
  /** The author of the review it announces; the event goes to the other side. */
  side: ReviewSide;
  payload: ReviewEventMessage;
}

/** The announcements of the reviews of `sides` on one booking, should they publish. */
export function publicationEvents(
  w: WindowParties,
  sides: readonly ReviewSide[],
  closesAt: Date,
): PreparedPublication[] {
  return sides.map((side) => ({
    booking_id: w.booking_id,
    side,
    payload: reviewEvent("review.published", w, [otherSide(side)], closesAt),
  }));
}

/** The sides still to write a review. */
export const sidesLeft = (reviewed: readonly ReviewSide[]): ReviewSide[] =>
  (["customer", "provider"] as const).filter((s) => !reviewed.includes(s));
