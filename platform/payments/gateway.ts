// The one interface every payment method implements: hold on confirm, capture on completion, void or refund on
// cancel, and status to learn the truth after a callback or a timeout. Every call that moves money carries an
// idempotency key derived from the booking, the attempt and the action, so a retry never moves money twice.
import type { LedgerGateway } from "../../lib/enums";

/** A gateway is named as the ledger names it. */
export type GatewayName = LedgerGateway;

export type DeclineReason = "card_declined" | "insufficient_funds" | "wallet_declined";

export type HoldResult =
  /** The money is held (card, bKash authorization) or, for a sale-only wallet, already taken. */
  | { kind: "authorized"; ref: string | null }
  /** The customer must approve at the wallet; the verified callback (or the reconciler) settles it. */
  | { kind: "requires_action"; ref: string; redirectUrl: string }
  | { kind: "declined"; reason: DeclineReason; ref: string | null }
  | { kind: "unavailable"; error: string };

/** What the gateway itself says about a payment: never what a redirect or a client claims. */
export type PaymentStatus =
  | { kind: "pending" }
  | { kind: "authorized"; amountPoisha: number; txn: string | null }
  | { kind: "captured"; amountPoisha: number; txn: string | null }
  | { kind: "failed"; reason: DeclineReason | "canceled" }
  | { kind: "unavailable"; error: string };

export type MoveResult = { kind: "ok" } | { kind: "refused"; error: string } | { kind: "unavailable"; error: string };

export interface HoldRequest {
  bookingId: number;
  /** 1 for the first try; a new attempt after a decline or an abandoned wallet session gets a fresh key. */
  attempt: number;
  amountPoisha: number;
  paymentMethodId: string | null;
  customerId: number;
  /** Where the wallet sends the customer back (our callback endpoint). */
  callbackUrl: string;
  /** The customer's IPv4, which Nagad wants on every call. */
  clientIp: string;
}

/** The payment as our ledger knows it: what the gateway calls it, and how much was taken. */
export interface PaymentRef {
  bookingId: number;
  attempt: number;
  ref: string | null;
  txn: string | null;
  amountPoisha: number;
}

export interface PaymentGateway {
  readonly name: GatewayName;
  /**
   * "hold": authorize now, capture later (card, bKash). "sale": the wallet takes the money at approval (Nagad);
   * we keep it in escrow and release by refund.
   */
  readonly mode: "hold" | "sale" | "none";
  hold(req: HoldRequest): Promise<HoldResult>;
  /** Asks the gateway what the payment is, changing nothing. */
  status(p: PaymentRef): Promise<PaymentStatus>;
  /**
   * After the customer acted at the wallet: settles the approval with the gateway and reports the truth (bKash
   * executes the approved payment here; the others only ask). Never trusts a redirect.
   */
  verify(p: PaymentRef): Promise<PaymentStatus>;
  /** Captures `amountPoisha` of the hold (a sale gateway refunds the rest instead). */
  capture(p: PaymentRef, amountPoisha: number): Promise<MoveResult>;
  /** Releases the whole hold (a sale gateway refunds everything). */
  void(p: PaymentRef): Promise<MoveResult>;
  /** Returns `amountPoisha` of captured money; `refundedBefore` makes the key unique per refund. */
  refund(p: PaymentRef, amountPoisha: number, refundedBefore: number): Promise<MoveResult>;
}

/** Cash: nothing is held; the amount is recorded as due and settled in person at completion. */
export const cashGateway: PaymentGateway = {
  name: "cash",
  mode: "none",
  hold: async () => ({ kind: "authorized", ref: null }),
  status: async () => ({ kind: "pending" }),
  verify: async () => ({ kind: "pending" }),
  capture: async () => ({ kind: "ok" }),
  void: async () => ({ kind: "ok" }),
  refund: async () => ({ kind: "ok" }),
};

/**
 * A method whose credentials this deployment lacks (removed after bookings were made with it): every call is
 * "unavailable", so steps that need money answer 503 and steps that do not (accept, decline) go on.
 */
export function unconfiguredGateway(name: GatewayName): PaymentGateway {
  const down = { kind: "unavailable" as const, error: `${name} is not configured` };
  return {
    name,
    mode: "hold",
    hold: async () => down,
    status: async () => down,
    verify: async () => down,
    capture: async () => down,
    void: async () => down,
    refund: async () => down,
  };
}

/** poisha -> "250.00", the decimal taka string bKash and Nagad take. */
export const takaString = (poisha: number): string =>
  `${Math.trunc(poisha / 100)}.${String(poisha % 100).padStart(2, "0")}`;

/** "250.00" (or "250") -> 25000; NaN for anything that is not a plain non-negative amount. */
export function poishaOf(amount: unknown): number {
  const s = typeof amount === "number" ? amount.toFixed(2) : String(amount ?? "");
  const m = s.match(/^(\d{1,12})(?:\.(\d{1,2}))?$/);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0")) : Number.NaN;
}

/** A fetch that never throws and never waits forever: the answer, or null when the gateway did not answer. */
export async function callGateway(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ res: Response; body: Record<string, unknown> } | { res: null; error: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { res, body };
  } catch (err) {
    return { res: null, error: err instanceof Error ? err.name : "network" };
  }
}
