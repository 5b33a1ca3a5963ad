// The payments ledger's moves: a row's next state and the named parameters that write it, and Stripe's events as
// moves. Every move is forward only (it applies only from the states it names), and runs inside the provider's
// object, under its lock: the object is the one writer of `payments` and `payment_events`.
import { GATEWAY_OF, type LedgerStatus } from "../../lib/enums";
import { first, type Runner } from "../../platform/pg/sql";
import { APPLY_STRIPE_EVENT, type PaymentMove } from "./sql";
import type { StripeEventInput } from "./types";
import type { BookingView, PaymentRow } from "./views";

/** One step's move: the row as it will be, the states it may move from, and the history entry. */
export interface Move {
  next: Partial<PaymentRow>;
  from: LedgerStatus[];
  kind: string;
  amount: number;
  meta: Record<string, unknown>;
}

/** The row after `move` (a booking's first payment starts from its price), and the parameters that write it. */
export function planMove(
  booking: BookingView,
  current: PaymentRow | null,
  move: Move,
): { row: PaymentRow; params: PaymentMove } {
  const row: PaymentRow = {
    status: "requires_action",
    gateway: GATEWAY_OF[booking.payment_method],
    amount_poisha: booking.price_poisha,
    captured_poisha: 0,
    refunded_poisha: 0,
    gateway_ref: null,
    gateway_txn: null,
    action_url: null,
    attempts: 1,
    authorized_at: null,
    last_error: null,
    updated_at: new Date().toISOString(),
    ...current,
    ...move.next,
  };
  const params: PaymentMove = {
    booking_id: booking.id,
    pay_gateway: row.gateway,
    pay_status: row.status,
    pay_amount: row.amount_poisha,
    pay_captured: row.captured_poisha,
    pay_refunded: row.refunded_poisha,
    pay_ref: row.gateway_ref,
    pay_txn: row.gateway_txn,
    pay_action_url: row.action_url,
    pay_return_url: row.return_url ?? null,
    pay_attempts: row.attempts,
    pay_authorized_at: row.authorized_at,
    pay_last_error: row.last_error?.slice(0, 300) ?? null,
    pay_from: move.from,
    pay_kind: move.kind,
    pay_event_amount: move.amount,
    pay_meta: JSON.stringify({ attempt: row.attempts, ...move.meta }),
  };
  return { row, params };
}

/** Which ledger move a Stripe event asks for. Other event types are recorded and acknowledged, and move nothing. */
const STRIPE_MOVES: Record<string, { to: LedgerStatus; from: LedgerStatus[] }> = {
  "payment_intent.canceled": { to: "voided", from: ["authorized", "requires_action"] },
  "payment_intent.payment_failed": { to: "failed", from: ["requires_action"] },
  "payment_intent.succeeded": { to: "captured", from: ["authorized"] },
};

/**
 * Records a Stripe event once and, when it is new, applies its move to the booking's payment: one statement, so a
 * redelivery never moves money and the record and the move commit together. Answers whether it was a redelivery.
 */
export async function applyStripeEvent(pg: Runner, input: StripeEventInput): Promise<{ duplicate: boolean }> {
  const move = STRIPE_MOVES[input.eventType];
  const row = await first(pg, APPLY_STRIPE_EVENT, {
    event_id: input.eventId,
    event_type: input.eventType,
    booking_id: input.bookingId,
    ref: input.ref,
    to_status: move?.to ?? null,
    from_states: move?.from ?? [],
    amount_received: input.amountReceived,
    kind: `webhook:${input.eventType}`,
    meta: JSON.stringify({ event_id: input.eventId }),
  });
  return { duplicate: !row?.fresh };
}
