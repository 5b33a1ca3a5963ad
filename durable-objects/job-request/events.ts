// What the request's object tells the notifications worker (lib/messages.ts MatchEventMessage), and the booking it
// asks the winner's provider object for: pure builders over what the object read.

import type { OfferWithdrawReason, PriceUnit } from "../../lib/enums";
import { sha256Hex } from "../../lib/hash";
import type { MatchEventMessage } from "../../lib/messages";
import type { CreateInput } from "../provider-bookings/client";
import type { RequestState } from "./sql";

const now = () => new Date().toISOString();
const base = (requestId: number, recipientId: number) => ({
  event_id: crypto.randomUUID(),
  request_id: requestId,
  recipient_id: recipientId,
  at: now(),
});

export function offerCreated(
  r: RequestState,
  o: { offer_id: number; provider_user_id: number; distance_m: number; price_poisha: number; unit: PriceUnit },
  expiresAt: Date,
): MatchEventMessage {
  return {
    type: "offer.created",
    ...base(r.id, o.provider_user_id),
    offer_id: o.offer_id,
    service_type: r.service_type,
    start_date: r.start_date,
    end_date: r.end_date,
    price_poisha: o.price_poisha,
    unit: o.unit,
    distance_m: Math.round(o.distance_m / 100) * 100,
    expires_at: expiresAt.toISOString(),
  };
}

export function offersWithdrawn(
  requestId: number,
  gone: { offer_id: number; provider_user_id: number }[],
  reason: OfferWithdrawReason,
): MatchEventMessage[] {
  return gone.map((g) => ({
    type: "offer.withdrawn",
    ...base(requestId, g.provider_user_id),
    offer_id: g.offer_id,
    reason,
  }));
}

export function requestMatched(r: RequestState, bookingId: number, pricePoisha: number): MatchEventMessage {
  return {
    type: "request.matched",
    ...base(r.id, r.customer_id),
    booking_id: bookingId,
    service_type: r.service_type,
    start_date: r.start_date,
    price_poisha: pricePoisha,
  };
}

export function requestNoProvider(r: RequestState): MatchEventMessage {
  return {
    type: "request.no_provider",
    ...base(r.id, r.customer_id),
    service_type: r.service_type,
    start_date: r.start_date,
  };
}

/**
 * The winner's booking, as the customer's: the same create a customer's POST /booking/bookings makes, through the
 * provider's object, with `match` so it starts ACCEPTED. Its idempotency key cannot be sent by a client (it holds
 * spaces, which Idempotency-Key refuses) and is fixed per request and provider, so asking again after a crash
 * replays the booking that was made instead of making a second.
 */
export async function winnerBooking(r: RequestState, offerId: number, providerId: number): Promise<CreateInput> {
  const body = {
    provider_id: providerId,
    service_type: r.service_type,
    start_date: r.start_date,
    end_date: r.end_date,
    location: { lat: r.lat, lng: r.lng },
    payment_method: r.payment_method,
    ...(r.address === null ? {} : { address: r.address }),
    ...(r.notes === null ? {} : { notes: r.notes }),
    ...(r.payment_method_id === null ? {} : { payment_method_id: r.payment_method_id }),
  };
  const path = `/booking/requests/${r.id}/match`;
  return {
    actor: { userId: r.customer_id, role: "customer" },
    body,
    idempotency: {
      key: `match request:${r.id} provider:${providerId}`,
      method: "POST",
      path,
      requestHash: await sha256Hex(`POST ${path} ${JSON.stringify(body)}`),
    },
    match: { requestId: r.id, offerId },
  };
}
