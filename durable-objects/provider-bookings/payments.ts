// The money side of a booking step, run inside the provider's object (so one booking's payment never moves twice
// at once) and before the step commits. The ledger row only moves forward from the states each step names, and
// every gateway call carries a key derived from booking, attempt and action, so a retried step is safe.
import type { LedgerStatus } from "../../lib/enums";
import type { MessageKey } from "../../lib/i18n";
import type { PaymentStatus } from "../../platform/payments/gateway";
import { PaymentBase, type Settled } from "./payment-base";
import { fail, isMessageKey, type Outcome, type PaymentRow } from "./views";

export type { PaymentContext, Settled } from "./payment-base";

export class PaymentSteps extends PaymentBase {
  // ---- confirm: place the hold (or start the wallet approval), or settle one already started ---------------------

  async confirm(): Promise<Settled> {
    const p = this.row;
    if (this.gw.mode === "none") return this.go(); // cash: due at completion
    if (p && (p.status === "authorized" || p.status === "captured")) return this.go(); // held before
    // A wallet may still take the money after we gave up on an attempt (a late approval): its callback settles it.
    const late = this.ctx.via !== undefined && p?.status === "failed" && p.gateway_ref !== null;
    if (p && (p.status === "requires_action" || late)) {
      const started = p.gateway_ref !== null;
      // A card hold whose answer never came is asked again under the same key: the gateway replays its answer.
      if (!started && this.gw.mode === "hold" && this.gw.name === "stripe") return this.hold(p.attempts);
      if (started) {
        const settled = await this.settleStarted();
        if (settled) return settled;
      }
    }
    if (this.ctx.via) {
      // A callback or the reconciler never starts a payment; it only settles one.
      return p?.status === "failed"
        ? this.stop(fail("payment_required", lastError(p)))
        : this.stop(fail("conflict", "illegal_transition", { kind: "state", status: this.ctx.booking.status }));
    }
    return this.hold((p?.attempts ?? 0) + 1);
  }

  /** Asks the gateway about the attempt in flight. Undefined: it failed, start another. */
  private async settleStarted(): Promise<Settled | undefined> {
    const p = this.existing;
    const v = await this.gw.verify(this.ref);
    if (v.kind === "unavailable") return this.unavailable(v.error);
    if (p.status === "failed" && (v.kind === "pending" || v.kind === "failed")) {
      return this.stop(fail("payment_required", lastError(p)));
    }
    if (v.kind === "pending") {
      const age = Date.now() - Date.parse(p.updated_at);
      if (this.ctx.via === "reconcile" && age > this.ctx.cfg.PAYMENT_ACTION_TTL_MIN * 60_000) {
        await this.save(
          { status: "failed", action_url: null, last_error: "payment_abandoned" },
          ["requires_action"],
          "abandoned",
          0,
        );
        return this.stop(fail("payment_required", "payment_abandoned"));
      }
      // Still at the wallet: the same approval page again.
      return this.stop(this.waiting(), true);
    }
    if (v.kind === "failed") {
      const reason = this.declined(v.reason);
      await this.save(
        { status: "failed", action_url: null, last_error: reason },
        ["requires_action"],
        "hold_failed",
        0,
        {
          reason: v.reason,
        },
      );
      if (this.ctx.via)
        return this.stop(fail("payment_required", reason, { kind: "state", status: this.ctx.booking.status }));
      return undefined;
    }
    return this.accept(v);
  }

  /** The gateway says money is held or taken: it must be exactly the booking's price, or it goes back. */
  private async accept(v: Extract<PaymentStatus, { amountPoisha: number }>): Promise<Settled> {
    const price = this.ctx.booking.price_poisha;
    if (v.amountPoisha !== price) {
      const undo = await this.undo(v);
      if (undo) return undo;
      await this.save(
        { status: "failed", action_url: null, gateway_txn: v.txn, last_error: "payment_mismatch" },
        ["requires_action"],
        "amount_mismatch",
        v.amountPoisha,
        { expected_poisha: price },
      );
      return this.stop(
        fail("conflict", "payment_mismatch", {
          kind: "amount_mismatch",
          expected_poisha: price,
          reported_poisha: v.amountPoisha,
        }),
      );
    }
    const captured = v.kind === "captured";
    await this.saveLast(
      {
        status: v.kind,
        captured_poisha: captured ? price : 0,
        gateway_txn: v.txn,
        action_url: null,
        authorized_at: new Date().toISOString(),
        last_error: null,
      },
      ["requires_action", "failed"],
      captured ? "sale" : "hold",
      price,
    );
    return this.go();
  }

  /** Gives back money the gateway holds or took for an attempt we cannot use; a Settled when it could not. */
  private async undo(v: Extract<PaymentStatus, { amountPoisha: number }>): Promise<Settled | undefined> {
    const ref = { ...this.ref, amountPoisha: v.amountPoisha, txn: v.txn };
    return this.failed(
      v.kind === "authorized" ? await this.gw.void(ref) : await this.gw.refund(ref, v.amountPoisha, 0),
    );
  }

  private waiting(): Outcome {
    return { ok: true, status: 202, body: { ...this.ctx.booking, payment: this.current } };
  }

  private async hold(attempt: number): Promise<Settled> {
    const b = this.ctx.booking;
    // Recorded as the call starts: if the answer never comes, the reconciler knows an attempt is in flight. The
    // write goes out on the connection first and runs while the gateway works (it commits in a round trip, long
    // before any gateway timeout), so the record costs the customer no extra wait.
    const recorded = this.save(
      {
        status: "requires_action",
        attempts: attempt,
        gateway_ref: null,
        gateway_txn: null,
        action_url: null,
        captured_poisha: 0,
        // Each attempt returns where the confirm that started it said (the booking's return_url by default).
        return_url: this.ctx.returnUrl ?? null,
      },
      ["requires_action", "failed"],
      "hold_started",
      b.price_poisha,
    );
    const r = await this.gw.hold(this.holdRequest(attempt));
    await recorded;
    if (r.kind === "unavailable") {
      await this.save({ last_error: "gateway_timeout" }, ["requires_action"], "hold_unanswered", b.price_poisha, {
        error: r.error,
      });
      return this.unavailable(r.error);
    }
    if (r.kind === "declined") {
      const reason = this.declined(r.reason);
      await this.save(
        { status: "failed", gateway_ref: r.ref, last_error: reason },
        ["requires_action"],
        "hold_declined",
        b.price_poisha,
      );
      return this.stop(fail("payment_required", reason, { kind: "state", status: b.status }));
    }
    if (r.kind === "requires_action") {
      await this.save(
        { gateway_ref: r.ref, action_url: r.redirectUrl, last_error: null },
        ["requires_action"],
        "action_required",
        b.price_poisha,
      );
      return this.stop(this.waiting(), true);
    }
    await this.saveLast(
      { status: "authorized", gateway_ref: r.ref, authorized_at: new Date().toISOString(), last_error: null },
      ["requires_action"],
      "hold",
      b.price_poisha,
    );
    return this.go();
  }

  // ---- complete: capture --------------------------------------------------------------------------------------

  async complete(): Promise<Settled> {
    const b = this.ctx.booking;
    const p = this.row;
    if (this.gw.mode === "none") {
      // Nothing was held for cash: the amount is recorded as due, and settled in person, at completion.
      await this.saveLast(
        { status: "captured", gateway: "cash", captured_poisha: b.price_poisha },
        [],
        "cash_due",
        b.price_poisha,
      );
      return this.go();
    }
    // A sale was taken at approval (or Stripe reported the capture): nothing left to take.
    if (p?.status === "captured" || p?.status === "refunded") return this.go();
    if (p?.status !== "authorized") {
      // Nothing is held (the hold was cancelled or lapsed, a webhook voided it) but the job is done: a booking
      // never completes with nothing captured. Hold again with the saved card, then capture below.
      const again = await this.holdAgain();
      if (again) return again;
    }
    const refused = this.failed(await this.gw.capture(this.ref, b.price_poisha));
    if (refused) return refused;
    await this.saveLast(
      { status: "captured", captured_poisha: b.price_poisha },
      ["authorized"],
      "capture",
      b.price_poisha,
    );
    return this.go();
  }

  /**
   * A new authorization with the customer's saved card, under the next attempt's key (as the renewal places one).
   * Undefined when the money is held now; otherwise the answer: 402 when the card declines or wants the customer
   * (3-D Secure), or when the method cannot be charged without the customer at all (a wallet).
   */
  private async holdAgain(): Promise<Settled | undefined> {
    const b = this.ctx.booking;
    const p = this.row;
    const from: LedgerStatus[] = p ? [p.status] : [];
    if (this.gw.name !== "stripe" || !this.ctx.paymentMethodId) {
      return this.stop(
        fail("payment_required", "payment_required", { kind: "state", status: b.status, payment: p?.status ?? null }),
      );
    }
    const attempt = (p?.attempts ?? 0) + 1;
    const r = await this.gw.hold(this.holdRequest(attempt));
    if (r.kind === "unavailable") return this.unavailable(r.error);
    if (r.kind === "authorized") {
      await this.save(
        {
          status: "authorized",
          attempts: attempt,
          gateway_ref: r.ref,
          gateway_txn: null,
          action_url: null,
          captured_poisha: 0,
          authorized_at: new Date().toISOString(),
          last_error: null,
        },
        from,
        "hold_again",
        b.price_poisha,
        { replaced: p?.gateway_ref ?? null },
      );
      return undefined;
    }
    // The attempt is recorded even so: the next try (a new key) asks under a new gateway key, not for this answer.
    const reason = r.kind === "declined" ? this.declined(r.reason) : "payment_required";
    await this.save({ attempts: attempt, last_error: reason }, from, "hold_again_declined", b.price_poisha);
    return this.stop(fail("payment_required", reason, { kind: "state", status: b.status }));
  }

  // ---- cancel or expire: release the hold, or keep only the fee ----------------------------------------------

  async cancel(feePoisha: number): Promise<Settled> {
    const p = this.row;
    if (!p || this.gw.mode === "none") return this.go();
    if (p.status === "requires_action") return this.abandon();
    const ref = this.ref;
    if (p.status === "authorized") {
      const refused = this.failed(feePoisha > 0 ? await this.gw.capture(ref, feePoisha) : await this.gw.void(ref));
      if (refused) return refused;
      if (feePoisha > 0)
        await this.saveLast(
          { status: "captured", captured_poisha: feePoisha },
          ["authorized"],
          "capture_fee",
          feePoisha,
        );
      else await this.saveLast({ status: "voided" }, ["authorized"], "void", p.amount_poisha);
      return this.go();
    }
    if (p.status === "captured") {
      // A sale (Nagad): the money was taken at approval, so the release is a refund of all but the fee.
      const back = p.captured_poisha - p.refunded_poisha - feePoisha;
      if (back <= 0) return this.go();
      const refused = this.failed(await this.gw.refund(ref, back, p.refunded_poisha));
      if (refused) return refused;
      await this.saveLast(this.refundedBy(back), ["captured"], feePoisha > 0 ? "refund_less_fee" : "refund", back);
    }
    return this.go();
  }

  /**
   * An attempt in flight on a booking that will not be confirmed (cancelled meanwhile, or past its step): ask the
   * gateway without settling anything, give back whatever it holds or took, and close the attempt.
   */
  async abandon(): Promise<Settled> {
    const p = this.row;
    const open = p?.status === "requires_action" || (p?.status === "failed" && p.gateway_ref !== null);
    if (!p || !open) return this.go();
    const v =
      p.gateway_ref || this.gw.name === "stripe" ? await this.gw.status(this.ref) : ({ kind: "pending" } as const);
    if (v.kind === "unavailable") return this.unavailable(v.error);
    if (v.kind === "authorized" || v.kind === "captured") {
      const undo = await this.undo(v);
      if (undo) return undo;
      await this.save(
        v.kind === "authorized"
          ? { status: "voided", action_url: null, gateway_txn: v.txn }
          : {
              status: "refunded",
              action_url: null,
              captured_poisha: v.amountPoisha,
              refunded_poisha: v.amountPoisha,
              gateway_txn: v.txn,
            },
        ["requires_action", "failed"],
        v.kind === "authorized" ? "void_unused" : "refund_unused",
        v.amountPoisha,
      );
      return this.go();
    }
    await this.save(
      { status: "failed", action_url: null, last_error: "payment_canceled" },
      ["requires_action"],
      "abandoned",
      0,
    );
    return this.go();
  }

  // ---- refunds after capture (support) and card hold renewal ----------------------------------------------------

  async refund(amountPoisha: number, meta: Record<string, unknown> = {}): Promise<Settled> {
    const p = this.row;
    if (!p || this.gw.mode === "none" || (p.status !== "captured" && p.status !== "refunded")) {
      return this.stop(fail("conflict", "payment_not_refundable", { kind: "state", status: p?.status ?? "none" }));
    }
    const left = p.captured_poisha - p.refunded_poisha;
    if (amountPoisha > left) {
      return this.stop(fail("conflict", "refund_exceeds_captured", { kind: "refundable", refundable_poisha: left }));
    }
    const refused = this.failed(
      await this.gw.refund(this.ref, amountPoisha, p.refunded_poisha),
      "payment_not_refundable",
    );
    if (refused) return refused;
    await this.save(this.refundedBy(amountPoisha), ["captured"], "refund", amountPoisha, meta);
    return this.go();
  }

  /**
   * Card holds lapse after about 7 days. A hold older than CARD_HOLD_RENEW_DAYS on a booking still to come is
   * replaced: a new authorization under the next attempt's key, then the old one is released. If the card now
   * declines, the old hold stays until it lapses and the refusal is recorded for support to follow up.
   */
  async renew(): Promise<{ renewed: boolean; error?: string }> {
    const p = this.row;
    const b = this.ctx.booking;
    if (p?.status !== "authorized" || this.gw.name !== "stripe") return { renewed: false, error: "not_a_card_hold" };
    const old = this.ref;
    const r = await this.gw.hold(this.holdRequest(p.attempts + 1));
    if (r.kind !== "authorized") {
      const error = r.kind === "unavailable" ? r.error : r.kind === "declined" ? r.reason : r.kind;
      await this.save({ last_error: `renewal: ${error}` }, ["authorized"], "renewal_failed", b.price_poisha);
      return { renewed: false, error };
    }
    await this.save(
      { gateway_ref: r.ref, attempts: p.attempts + 1, authorized_at: new Date().toISOString(), last_error: null },
      ["authorized"],
      "hold_renewed",
      b.price_poisha,
      { replaced: old.ref },
    );
    // The old hold goes last: a failure here leaves a hold that lapses by itself, never a booking without one.
    await this.gw.void(old);
    return { renewed: true };
  }
}

/** Why the last attempt failed, in the words the API answers with. */
function lastError(p: PaymentRow): MessageKey {
  return isMessageKey(p.last_error) ? p.last_error : "payment_required";
}
