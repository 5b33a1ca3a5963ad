// The plumbing every money step shares: the gateway for the booking's method, the ledger row as it now stands, and
// the writes that move it (now, or deferred into the step's own commit). The steps themselves are in payments.ts.
import { type BookingAction, GATEWAY_OF, type LedgerStatus } from "../../lib/enums";
import type { MessageKey } from "../../lib/i18n";
import type { Config } from "../../platform/config";
import {
  type DeclineReason,
  type HoldRequest,
  type MoveResult,
  type PaymentGateway,
  type PaymentRef,
  unconfiguredGateway,
} from "../../platform/payments/gateway";
import { callbackUrl, gatewayFor } from "../../platform/payments/index";
import { type Runner, run } from "../../platform/pg/sql";
import { planMove } from "./ledger";
import { MOVE_PAYMENT, type PaymentMove } from "./sql";
import type { PaymentVia } from "./types";
import { type BookingView, fail, type Outcome, type PaymentRow, type PaymentSummary, summary } from "./views";

export interface PaymentContext {
  pg: Runner;
  cfg: Config;
  booking: BookingView;
  payment: PaymentRow | null;
  paymentMethodId: string | null;
  action: BookingAction | "refund" | "renew";
  /** Set when a wallet callback or the reconciler (not the customer) drives the confirm. */
  via?: PaymentVia | undefined;
  clientIp?: string | undefined;
  /** confirm: where the attempt it starts sends the browser back after the wallet (the override, or the booking's). */
  returnUrl?: string | null | undefined;
  /** The step commits its booking change next: the final ledger write can ride along in that statement. */
  deferFinal?: boolean;
}

/** Go on with the step (the payment as it now stands), or stop and answer; `release` frees the idempotency key. */
export type Settled = { go: true; payment: PaymentSummary | null } | { go: false; outcome: Outcome; release: boolean };

const DECLINE_MESSAGE: Record<DeclineReason | "canceled", MessageKey> = {
  card_declined: "card_declined",
  insufficient_funds: "insufficient_funds",
  wallet_declined: "wallet_declined",
  canceled: "payment_canceled",
};

export abstract class PaymentBase {
  protected readonly gw: PaymentGateway;
  protected row: PaymentRow | null;
  /** The payment move for the step's own statement to write (see saveLast), if any. */
  deferred: PaymentMove | null = null;

  constructor(protected readonly ctx: PaymentContext) {
    // Bookings refuse unconfigured methods at creation; a method unconfigured since then cannot move money.
    this.gw =
      gatewayFor(ctx.booking.payment_method, ctx.cfg) ?? unconfiguredGateway(GATEWAY_OF[ctx.booking.payment_method]);
    this.row = ctx.payment;
  }

  get current(): PaymentSummary | null {
    return summary(this.row);
  }

  /** The row, in steps that only run once there is one. */
  protected get existing(): PaymentRow {
    if (!this.row) throw new Error("no payment row");
    return this.row;
  }

  protected get ref(): PaymentRef {
    const p = this.row;
    return {
      bookingId: this.ctx.booking.id,
      attempt: p?.attempts ?? 1,
      ref: p?.gateway_ref ?? null,
      txn: p?.gateway_txn ?? null,
      amountPoisha: p?.amount_poisha ?? this.ctx.booking.price_poisha,
    };
  }

  protected go(): Settled {
    return { go: true, payment: this.current };
  }

  protected stop(outcome: Outcome, release = false): Settled {
    return { go: false, outcome, release };
  }

  protected unavailable(error: string): Settled {
    return this.stop(
      fail("dependency_unavailable", "dependency_unavailable", { kind: "gateway", gateway: this.gw.name, error }),
      true,
    );
  }

  /** The row's next state and the move that writes it (only if the row is still in one of `from`). */
  protected next(
    next: Partial<PaymentRow>,
    from: LedgerStatus[],
    kind: string,
    amount: number,
    meta: Record<string, unknown>,
  ): { row: PaymentRow; params: PaymentMove } {
    const step = { action: this.ctx.action, ...(this.ctx.via ? { via: this.ctx.via } : {}) };
    return planMove(this.ctx.booking, this.row, { next, from, kind, amount, meta: { ...step, ...meta } });
  }

  /** A gateway move that did not happen, as the step's answer (undefined: it happened, go on). */
  protected failed(r: MoveResult, refusal: MessageKey = "payment_required"): Settled | undefined {
    if (r.kind === "unavailable") return this.unavailable(r.error);
    if (r.kind === "refused")
      return this.stop(fail("conflict", refusal, { kind: "gateway", gateway: this.gw.name, error: r.error }));
    return undefined;
  }

  /** The ledger after `amountPoisha` more went back: fully refunded once everything captured is returned. */
  protected refundedBy(amountPoisha: number): Partial<PaymentRow> {
    const p = this.existing;
    const refunded = p.refunded_poisha + amountPoisha;
    return { status: refunded === p.captured_poisha ? "refunded" : "captured", refunded_poisha: refunded };
  }

  /** The message for a refusal; a wallet short of money says so in wallet words. */
  protected declined(reason: DeclineReason | "canceled"): MessageKey {
    return reason === "insufficient_funds" && this.gw.name !== "stripe"
      ? "wallet_insufficient_funds"
      : DECLINE_MESSAGE[reason];
  }

  protected holdRequest(attempt: number): HoldRequest {
    const b = this.ctx.booking;
    return {
      bookingId: b.id,
      attempt,
      amountPoisha: b.price_poisha,
      paymentMethodId: this.ctx.paymentMethodId,
      customerId: b.customer_id,
      callbackUrl: callbackUrl(this.ctx.cfg, this.gw.name),
      clientIp: this.ctx.clientIp ?? "",
    };
  }

  /** Writes the row's next state and its history entry now, only if the row is still in one of `from`. */
  protected async save(
    next: Partial<PaymentRow>,
    from: LedgerStatus[],
    kind: string,
    amount: number,
    meta: Record<string, unknown> = {},
  ): Promise<boolean> {
    const { row, params } = this.next(next, from, kind, amount, meta);
    const moved = await run(this.ctx.pg, MOVE_PAYMENT, params);
    if (moved) this.row = row;
    return moved > 0;
  }

  /**
   * The last money write of a step that goes on: with `deferFinal`, it is handed to the step's own atomic
   * statement (one round trip less, and the ledger and the booking change together); otherwise written now.
   */
  protected async saveLast(
    next: Partial<PaymentRow>,
    from: LedgerStatus[],
    kind: string,
    amount: number,
    meta: Record<string, unknown> = {},
  ): Promise<void> {
    if (!this.ctx.deferFinal) {
      await this.save(next, from, kind, amount, meta);
      return;
    }
    const { row, params } = this.next(next, from, kind, amount, meta);
    this.row = row;
    this.deferred = params;
  }
}
