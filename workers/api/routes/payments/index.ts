// The /payments service: gateway webhooks, wallet return URLs, support refunds, earnings, payouts and disputes (holds and captures run inside
// the booking engine, in the provider's object).
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerCallbacks } from "./callbacks";
import { registerResolveDispute } from "./dispute-resolve";
import { registerEarnings } from "./earnings";
import { registerPayoutAccount } from "./payout-account";
import { registerGetPayoutAccount } from "./payout-account-get";
import { registerVerifyPayoutAccount } from "./payout-account-verify";
import { registerApprovePayout } from "./payout-approve";
import { registerConfirmBankPayout } from "./payout-confirm";
import { registerBankExport } from "./payouts-bank-export";
import { registerListPayouts } from "./payouts-list";
import { registerRunPayouts } from "./payouts-run";
import { registerReceipt } from "./receipt";
import { registerRefund } from "./refund";
import { registerStatement } from "./statement";
import { registerStripeWebhook } from "./stripe-webhook";

export const payments = createApp();
registerHealth(payments, "payments");
registerStripeWebhook(payments);
registerCallbacks(payments);
registerRefund(payments);
registerPayoutAccount(payments);
registerGetPayoutAccount(payments);
registerVerifyPayoutAccount(payments);
registerEarnings(payments);
registerListPayouts(payments);
registerRunPayouts(payments);
registerApprovePayout(payments);
registerConfirmBankPayout(payments);
registerBankExport(payments);
registerResolveDispute(payments);
registerReceipt(payments);
registerStatement(payments);
