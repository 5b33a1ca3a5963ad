// The public face of the booking engine: the typed way to reach a provider's booking object (one per provider id),
// which provider owns a booking, and the shapes (views, RPC inputs and answers) the rest of the code reads.
import { first } from "../../platform/pg/sql";
import { pgReader } from "../pg-reader/client";
import { BOOKING_OWNER } from "./sql";

export type {
  ActorRef,
  CreateBody,
  CreateInput,
  Idempotency,
  MatchSource,
  PaymentVia,
  RefundInput,
  StripeEventInput,
  TransitionInput,
} from "./types";
export { PAYMENT_SYSTEM } from "./types";
export { BookingView, BookingWithPayment, Outcome, PaymentRow, PaymentSummary, summary } from "./views";

export function providerBookings(env: Env, providerId: number) {
  const ns = env.PROVIDER_BOOKINGS;
  return ns.get(ns.idFromName(`provider:${providerId}`));
}

/** booking id -> provider id. A booking never changes provider, so an isolate may remember it; bounded in size. */
const owners = new Map<number, number>();
const OWNERS_MAX = 50_000;

export function rememberOwner(bookingId: number, providerId: number): void {
  if (owners.size >= OWNERS_MAX) {
    const oldest = owners.keys().next();
    if (!oldest.done) owners.delete(oldest.value);
  }
  owners.set(bookingId, providerId);
}

/** Which provider's object owns a booking: remembered, or read through a warm connection. */
export async function bookingProvider(env: Env, bookingId: number): Promise<number | null> {
  const known = owners.get(bookingId);
  if (known !== undefined) return known;
  const row = await first(pgReader(env, `booking:${bookingId}`), BOOKING_OWNER, { booking_id: bookingId });
  if (!row) return null;
  rememberOwner(bookingId, row.provider_id);
  return row.provider_id;
}
