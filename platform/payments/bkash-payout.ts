// bKash disbursement (B2C): pays a provider's wallet from the merchant's disbursement wallet, topping it up from
// the collection wallet first when it is short. The invoice number is the idempotency handle: a payout that timed
// out is never sent again blindly; it is asked about by its invoice (and a duplicate-invoice answer means it went).
import { type BkashConfig, bkashClient } from "./bkash";
import { poishaOf, takaString } from "./gateway";

export type PayoutResult =
  | { kind: "sent"; trx: string }
  /** The gateway refused for good (bad receiver, a limit): the payout failed and the money stays with the provider. */
  | { kind: "refused"; code: string; error: string }
  /** No answer we can trust (timeout, 5xx, token): ask again later by invoice. */
  | { kind: "unknown"; error: string };

export interface PayoutGateway {
  pay(p: { invoice: string; amountPoisha: number; msisdn: string }): Promise<PayoutResult>;
  /** What happened to a payout whose answer was lost. */
  query(invoice: string): Promise<PayoutResult | { kind: "not_found" }>;
}

/** bKash's receiver format: the local 11 digits. */
const localMsisdn = (e164: string) => e164.replace(/^\+?88/, "");

export function bkashPayouts(cfg: BkashConfig): PayoutGateway {
  const { api } = bkashClient(cfg);

  async function disbursementBalance(): Promise<number | undefined> {
    const a = await api("payment/organizationBalance", null);
    if (!a.ok) return undefined;
    const wallets = (a.body.organizationBalance ?? []) as { accountTypeName?: string; availableBalance?: string }[];
    const d = wallets.find((w) => w.accountTypeName === "Disbursement");
    return d?.availableBalance === undefined ? undefined : poishaOf(d.availableBalance);
  }

  const trxOf = (b: Record<string, unknown>) => (typeof b.trxID === "string" ? b.trxID : "");

  return {
    async pay({ invoice, amountPoisha, msisdn }) {
      const balance = await disbursementBalance();
      if (balance !== undefined && balance < amountPoisha) {
        const top = await api("payment/intraAccountTransfer", {
          amount: takaString(amountPoisha - balance),
          currency: "BDT",
          transferType: "Collection2Disbursement",
        });
        // Short in both wallets: a refusal ops must fix (fund the merchant account); the payout waits, nothing moved.
        if (!top.ok && !top.transient) return { kind: "refused", code: top.code, error: `topup: ${top.message}` };
      }
      const a = await api("payment/b2cPayment", {
        amount: takaString(amountPoisha),
        currency: "BDT",
        merchantInvoiceNumber: invoice,
        receiverMSISDN: localMsisdn(msisdn),
      });
      if (a.ok) return { kind: "sent", trx: trxOf(a.body) };
      // 2029: this invoice was paid before (our earlier call's answer was lost): learn its transaction.
      if (a.code === "2029") {
        const q = await this.query(invoice);
        return q.kind === "not_found" ? { kind: "unknown", error: "duplicate invoice not found" } : q;
      }
      if (a.transient) return { kind: "unknown", error: `${a.code} ${a.message}`.slice(0, 200) };
      return { kind: "refused", code: a.code, error: `bkash ${a.code} ${a.message}`.slice(0, 200) };
    },
    async query(invoice) {
      const a = await api("payment/b2cPayment/query", { merchantInvoiceNumber: invoice });
      if (a.ok) {
        return a.body.transactionStatus === "Completed"
          ? { kind: "sent", trx: trxOf(a.body) }
          : {
              kind: "refused",
              code: String(a.body.transactionStatus ?? "failed"),
              error: "bkash payout not completed",
            };
      }
      if (a.transient) return { kind: "unknown", error: `${a.code} ${a.message}`.slice(0, 200) };
      return { kind: "not_found" };
    },
  };
}
