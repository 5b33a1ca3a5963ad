// The one interface every payment method implements: hold on confirm, capture on completion, void or refund on
// cancel. Each call carries an idempotency key derived from the booking and the action, so a retry never moves
// money twice.
export type HoldResult =
  | { kind: "authorized"; ref: string | null }
  | { kind: "declined"; reason: "card_declined" | "insufficient_funds"; ref: string | null }
  | { kind: "unavailable"; error: string };

export type MoveResult = { kind: "ok" } | { kind: "refused"; error: string } | { kind: "unavailable"; error: string };

export interface HoldRequest {
  bookingId: number;
  amountPoisha: number;
  paymentMethodId: string | null;
  customerId: number;
}

export interface PaymentGateway {
  readonly name: "cash" | "stripe";
  hold(req: HoldRequest): Promise<HoldResult>;
  capture(bookingId: number, ref: string | null, amountPoisha: number): Promise<MoveResult>;
  void(bookingId: number, ref: string | null): Promise<MoveResult>;
  refund(bookingId: number, ref: string | null, amountPoisha: number): Promise<MoveResult>;
}

/** Cash: nothing is held; the amount is recorded as due and settled in person at completion. */
export const cashGateway: PaymentGateway = {
  name: "cash",
  hold: async () => ({ kind: "authorized", ref: null }),
  capture: async () => ({ kind: "ok" }),
  void: async () => ({ kind: "ok" }),
  refund: async () => ({ kind: "ok" }),
};
