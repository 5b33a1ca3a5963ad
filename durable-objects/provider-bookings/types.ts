// What crosses the RPC boundary between the gateway and a provider's booking object.
import type { BookingAction, PaymentMethod, Role } from "../../lib/enums";
import type { BookingEventMessage } from "../../lib/messages";

export type { BookingView, BookingWithPayment, Outcome, PaymentRow, PaymentSummary } from "./views";

export interface ActorRef {
  userId: number;
  role: Role;
}

export interface CreateBody {
  provider_id: number;
  service_type: string;
  start_date: string;
  end_date: string;
  address?: string | undefined;
  location?: { lat: number; lng: number } | undefined;
  notes?: string | undefined;
  payment_method: PaymentMethod;
  payment_method_id?: string | undefined;
  /** Where a wallet's return sends the browser: already checked against the allow-list and normalized. */
  return_url?: string | undefined;
}

/** Idempotency is scoped to the user: the same key from two users is two keys. */
export interface Idempotency {
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

export interface CreateInput {
  actor: ActorRef;
  body: CreateBody;
  idempotency: Idempotency;
  /** Set by a job request's object for its winner: the booking is created directly as ACCEPTED. */
  match?: MatchSource | undefined;
}

/** The request and offer a matched booking comes from (its audit meta says `source: "match"` with both). */
export interface MatchSource {
  requestId: number;
  offerId: number;
}

/**
 * Who drives a payment-only confirm: the wallet's callback, or the reconciler asking the gateway. The event's `via`
 * names them (a webhook moves only the ledger, never the booking, so it publishes no booking event).
 */
export type PaymentVia = Exclude<NonNullable<BookingEventMessage["meta"]["via"]>, "webhook">;

/** The caller of a payment-only confirm: no user, the object acts for the booking's customer. */
export const PAYMENT_SYSTEM: ActorRef = { userId: 0, role: "customer" };

export interface TransitionInput {
  providerId: number;
  bookingId: number;
  action: Exclude<BookingAction, "expire">;
  actor: ActorRef;
  reason?: string | undefined;
  idempotency?: Idempotency | undefined;
  /** Set by the callback and the reconciler: settle the customer's payment, never start one. */
  via?: PaymentVia | undefined;
  /** The caller's IP (Nagad wants the customer's IPv4). */
  clientIp?: string | undefined;
  /** confirm: where this payment attempt's wallet return goes instead of the booking's (allow-listed, normalized). */
  returnUrl?: string | undefined;
}

export interface RefundInput {
  providerId: number;
  bookingId: number;
  amountPoisha: number;
  reason: string;
  actor: ActorRef;
  idempotency: Idempotency;
}

/** A verified Stripe event about one of this provider's bookings' PaymentIntents. */
export interface StripeEventInput {
  providerId: number;
  bookingId: number;
  eventId: string;
  eventType: string;
  /** The PaymentIntent id (the ledger's gateway_ref). */
  ref: string;
  amountReceived: number | null;
}
