// Which gateway serves a booking's payment method, built from validated config. A wallet whose credentials are
// not configured is unavailable: bookings refuse it up front instead of failing at confirm.
import type { PaymentMethod } from "../../lib/enums";
import type { Config } from "../config";
import { bkashGateway } from "./bkash";
import { bkashPayouts, type PayoutGateway } from "./bkash-payout";
import { cashGateway, type PaymentGateway } from "./gateway";
import { nagadGateway } from "./nagad";
import { stripeGateway } from "./stripe";

/** The gateway for a payment method; null for one this deployment has no credentials for (or no such method). */
export function gatewayFor(method: PaymentMethod | (string & {}), cfg: Config): PaymentGateway | null {
  switch (method) {
    case "cash":
      return cashGateway;
    case "card":
      return stripeGateway({
        apiUrl: cfg.STRIPE_API_URL,
        secretKey: cfg.STRIPE_SECRET_KEY,
        timeoutMs: cfg.PAYMENT_TIMEOUT_MS,
      });
    case "bkash":
      if (!cfg.BKASH_APP_KEY || !cfg.BKASH_APP_SECRET || !cfg.BKASH_USERNAME || !cfg.BKASH_PASSWORD) return null;
      return bkashGateway({
        apiUrl: cfg.BKASH_API_URL,
        appKey: cfg.BKASH_APP_KEY,
        appSecret: cfg.BKASH_APP_SECRET,
        username: cfg.BKASH_USERNAME,
        password: cfg.BKASH_PASSWORD,
        timeoutMs: cfg.PAYMENT_TIMEOUT_MS,
      });
    case "nagad":
      if (!cfg.NAGAD_MERCHANT_ID || !cfg.NAGAD_MERCHANT_PRIVATE_KEY || !cfg.NAGAD_PUBLIC_KEY) return null;
      return nagadGateway({
        apiUrl: cfg.NAGAD_API_URL,
        merchantId: cfg.NAGAD_MERCHANT_ID,
        merchantPrivateKey: cfg.NAGAD_MERCHANT_PRIVATE_KEY,
        nagadPublicKey: cfg.NAGAD_PUBLIC_KEY,
        merchantNumber: cfg.NAGAD_MERCHANT_NUMBER,
        timeoutMs: cfg.PAYMENT_TIMEOUT_MS,
      });
    default:
      return null;
  }
}

/** bKash disbursement for payouts; null when bKash is not configured (payouts then wait, failed with a reason). */
export function payoutGatewayFor(cfg: Config): PayoutGateway | null {
  if (!cfg.BKASH_APP_KEY || !cfg.BKASH_APP_SECRET || !cfg.BKASH_USERNAME || !cfg.BKASH_PASSWORD) return null;
  return bkashPayouts({
    apiUrl: cfg.BKASH_API_URL,
    appKey: cfg.BKASH_APP_KEY,
    appSecret: cfg.BKASH_APP_SECRET,
    username: cfg.BKASH_USERNAME,
    password: cfg.BKASH_PASSWORD,
    timeoutMs: cfg.PAYMENT_TIMEOUT_MS,
  });
}

/** Where a wallet returns the customer after approval. */
export const callbackUrl = (cfg: Config, gateway: string) =>
  `${cfg.PUBLIC_API_URL.replace(/\/$/, "")}/payments/callbacks/${gateway}`;
