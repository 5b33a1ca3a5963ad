// What crosses the RPC boundary between the gateway and a provider's booking object.
import type { Action, Status } from "../../lib/booking-machine";
import type { ErrorCode } from "../../lib/errors";
import type { MessageKey } from "../../lib/i18n";

export type Role = "customer" | "provider" | "admin";
export interface ActorRef {
  userId: number;
  role: Role;
}

export type PaymentMethod = "cash" | "card" | "bkash" | "nagad";

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
}

/** Who drives a payment-only confirm: the wallet's callback, or the reconciler asking the gateway. */
export type PaymentVia = "callback" | "reconcile";

/** The caller of a payment-only confirm: no user, the object acts for the booking's customer. */
export const PAYMENT_SYSTEM: ActorRef = { userId: 0, role: "customer" };

export interface TransitionInput {
  providerId: number;
  bookingId: number;
  action: Exclude<Action, "expire">;
  actor: ActorRef;
  reason?: string | undefined;
  idempotency?: Idempotency | undefined;
  /** Set by the callback and the reconciler: settle the customer's payment, never start one. */
  via?: PaymentVia | undefined;
  /** The caller's IP (Nagad wants the customer's IPv4). */
  clientIp?: string | undefined;
}

export interface RefundInput {
  providerId: number;
  bookingId: number;
  amountPoisha: number;
  reason: string;
  actor: ActorRef;
  idempotency: Idempotency;
}

export type LedgerStatus = "requires_action" | "authorized" | "captured" | "voided" | "refunded" | "failed";
export type LedgerGateway = "cash" | "stripe" | "bkash" | "nagad";

export interface PaymentSummary {
  status: LedgerStatus;
  gateway: LedgerGateway;
  amount_poisha: number;
  captured_poisha: number;
  refunded_poisha: number;
  redirect_url?: string;
}

export interface BookingView {
  id: number;
  status: Status;
  customer_id: number;
  provider_id: number;
  service_type: string;
  start_date: string;
  end_date: string;
  price_poisha: number;
  unit_price_poisha: number;
  unit: "hour" | "day" | "visit";
  payment_method: PaymentMethod;
  address: string | null;
  location: { lat: number; lng: number } | null;
  notes: string | null;
  accept_deadline: string | null;
  canceled_by: string | null;
  cancel_reason: string | null;
  fee_poisha: number;
  created_at: string;
  updated_at: string;
}

export type Outcome =
  | {
      ok: true;
      status: 200 | 201 | 202;
      body: BookingView & { payment?: PaymentSummary | null };
      replayed?: boolean;
    }
  | { ok: false; code: ErrorCode; message: MessageKey; details?: unknown; replayed?: boolean };
