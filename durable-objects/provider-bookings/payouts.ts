// A provider's payouts, run inside the provider's object under its lock (the same lock as its bookings' money):
// start one payout of what is available (one statement: netting, the row, its invoice), then ask the gateway, then
// record its answer. A lost answer leaves the payout `unknown`, and the reconciler asks the gateway by invoice.
import type { AccountEventMessage } from "../../lib/messages";
import type { Config } from "../../platform/config";
import type { PayoutGateway, PayoutResult } from "../../platform/payments/bkash-payout";
import { first, type Runner } from "../../platform/pg/sql";
import { APPROVE_PAYOUT, FINISH_PAYOUT, PAYOUT_BY_ID, type PayoutRow, START_PAYOUT } from "./payout-sql";

export type PayoutOp =
  /** Pay out what is available (a run; `approvedBy` is an admin's "pay now", which skips the approval hold). */
  | { kind: "start"; runId: number | null; approvedBy: number | null }
  | { kind: "approve"; payoutId: number; adminId: number }
  | { kind: "reconcile"; payoutId: number }
  /** Ops confirm that a bank payout in the BEFTN batch went through. */
  | { kind: "confirm_bank"; payoutId: number };

export type PayoutAnswer =
  | { ok: true; payout: PayoutRow }
  | {
      ok: false;
      reason: "no_account" | "not_verified" | "open_payout" | "nothing_available" | "not_found" | "unavailable";
    };

/** Past this age a payout the gateway does not know is sent again under the same invoice (bKash dedupes it). */
const RESEND_AFTER_MS = 10 * 60_000;

/** What the provider should do about a failed payout, as the notification names it. */
function failureReason(r: PayoutResult): string {
  if (r.kind !== "refused") return "gateway";
  if (r.code === "2012") return "invalid_receiver";
  if (r.code === "unconfigured") return "gateway";
  return r.code === "2023" ? "gateway" : "limit";
}

function invoice(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `KMP-${Array.from(bytes, (b) => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[b % 32]).join("")}`;
}

export class Payouts {
  constructor(
    private readonly pg: Runner,
    private readonly cfg: Config,
    private readonly gateway: () => PayoutGateway | null,
    /** Tells the provider a payout went or failed; best effort (the payout list shows it either way). */
    private readonly notify: (e: AccountEventMessage) => Promise<void>,
  ) {}

  async run(providerId: number, op: PayoutOp): Promise<PayoutAnswer> {
    if (op.kind === "start") return this.start(providerId, op.runId, op.approvedBy);
    const payout =
      op.kind === "approve"
        ? await this.approve(providerId, op.payoutId, op.adminId)
        : op.kind === "reconcile"
          ? await this.reconcile(providerId, op.payoutId)
          : await this.confirmBank(providerId, op.payoutId);
    return payout ? { ok: true, payout } : { ok: false, reason: "not_found" };
  }

  private async start(providerId: number, runId: number | null, approvedBy: number | null): Promise<PayoutAnswer> {
    const row = await first(this.pg, START_PAYOUT, {
      provider_id: providerId,
      window_s: this.cfg.DISPUTE_WINDOW_S,
      min: this.cfg.PAYOUT_MIN_POISHA,
      approval_above: this.cfg.PAYOUT_APPROVAL_ABOVE_POISHA,
      invoice: invoice(),
      run_id: runId,
      approved_by: approvedBy,
    });
    if (!row?.payout) {
      const reason = !row?.has_account
        ? "no_account"
        : !row.verified
          ? "not_verified"
          : row.open_payout
            ? "open_payout"
            : "nothing_available";
      return { ok: false, reason };
    }
    const payout = row.payout.status === "pending" ? await this.send(row.payout, row.msisdn) : row.payout;
    return { ok: true, payout };
  }

  /** An admin releases a held payout: it is sent now. */
  private async approve(providerId: number, payoutId: number, adminId: number): Promise<PayoutRow | undefined> {
    const row = await first(this.pg, APPROVE_PAYOUT, { id: payoutId, provider_id: providerId, admin_id: adminId });
    if (!row) return undefined;
    const { msisdn, ...payout } = row;
    return this.send(payout, msisdn);
  }

  /** Settles a payout whose answer was lost: ask by invoice; resend under the same invoice only when safe. */
  private async reconcile(providerId: number, payoutId: number): Promise<PayoutRow | undefined> {
    const row = await first(this.pg, PAYOUT_BY_ID, { id: payoutId, provider_id: providerId });
    if (!row || (row.status !== "unknown" && row.status !== "pending") || row.method !== "bkash") return row;
    const { msisdn, ...payout } = row;
    const gw = this.gateway();
    if (!gw) return payout;
    const known = await gw.query(payout.invoice);
    if (known.kind === "not_found") {
      // Never sent (or not yet recorded at bKash): resending under the same invoice cannot pay twice.
      if (Date.now() - payout.updated_at.getTime() < RESEND_AFTER_MS) return payout;
      return this.send(payout, msisdn);
    }
    return this.record(payout, known);
  }

  /** A bank payout from the BEFTN batch, confirmed by ops: sent (only a pending bank payout moves). */
  private async confirmBank(providerId: number, payoutId: number): Promise<PayoutRow | undefined> {
    const row = await first(this.pg, PAYOUT_BY_ID, { id: payoutId, provider_id: providerId });
    if (!row || row.method !== "bank") return undefined;
    if (row.status === "sent") return row;
    const done = await first(this.pg, FINISH_PAYOUT, {
      id: payoutId,
      status: "sent",
      trx: null,
      error: null,
      from: ["pending"],
    });
    return done;
  }

  /** bKash payouts go out now; bank payouts wait in the BEFTN export until ops confirm them. */
  private async send(payout: PayoutRow, msisdn: string | null): Promise<PayoutRow> {
    if (payout.method === "bank") return payout;
    const gw = this.gateway();
    if (!gw || !msisdn) {
      return this.record(payout, { kind: "refused", code: "unconfigured", error: "bKash payouts are not configured" });
    }
    return this.record(payout, await gw.pay({ invoice: payout.invoice, amountPoisha: payout.amount_poisha, msisdn }));
  }

  private async record(payout: PayoutRow, r: PayoutResult): Promise<PayoutRow> {
    const next =
      r.kind === "sent"
        ? { status: "sent" as const, trx: r.trx, error: null }
        : r.kind === "refused"
          ? { status: "failed" as const, trx: null, error: r.error }
          : { status: "unknown" as const, trx: null, error: r.error };
    const row = await first(this.pg, FINISH_PAYOUT, { id: payout.id, ...next, from: ["pending", "unknown"] });
    if (row && (row.status === "sent" || row.status === "failed")) {
      await this.notify({
        type: row.status === "sent" ? "payout.sent" : "payout.failed",
        event_id: crypto.randomUUID(),
        booking_id: 0,
        to: [{ provider_id: row.provider_id }],
        amount_poisha: row.amount_poisha,
        ...(row.status === "failed" ? { reason: failureReason(r) } : {}),
        at: new Date().toISOString(),
      }).catch(() => {});
    }
    return row ?? payout;
  }
}
