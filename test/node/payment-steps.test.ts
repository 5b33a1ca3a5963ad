// A wallet whose credentials were removed after bookings were made with it: steps that move its money answer
// 503 (retry later) instead of crashing, and steps without money go on. No database write happens on the way.
import { describe, expect, it } from "vitest";
import { PaymentSteps } from "../../durable-objects/provider-bookings/payments";
import type { BookingView, PaymentRow } from "../../durable-objects/provider-bookings/views";
import { loadConfig } from "../../platform/config";
import type { Runner } from "../../platform/pg/sql";

const cfg = loadConfig({
  ENVIRONMENT: "test",
  DATABASE_URL: "postgres://u@127.0.0.1/kormo",
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
  UPSTASH_REDIS_REST_TOKEN: "t",
  AUTH_JWKS: '{"keys":[]}',
  OTP_HMAC_SECRET: "x".repeat(32),
  KYC_S3_ENDPOINT: "http://127.0.0.1:8091",
  KYC_S3_BUCKET: "kyc-bucket",
  KYC_S3_ACCESS_KEY_ID: "a",
  KYC_S3_SECRET_ACCESS_KEY: "b",
  STRIPE_SECRET_KEY: "sk_test_x",
  STRIPE_WEBHOOK_SECRET: "whsec_x1234567",
} as unknown as Env);

const noDatabase: Runner = {
  query: () => {
    throw new Error("no write may happen");
  },
};

const booking = { id: 7, status: "CONFIRMED", customer_id: 1, payment_method: "bkash", price_poisha: 50_000 };
const held: PaymentRow = {
  status: "authorized",
  gateway: "bkash",
  amount_poisha: 50_000,
  captured_poisha: 0,
  refunded_poisha: 0,
  gateway_ref: "TR0011X",
  gateway_txn: "TRX1",
  action_url: null,
  attempts: 1,
  authorized_at: new Date().toISOString(),
  last_error: null,
  updated_at: new Date().toISOString(),
};

const steps = (action: "complete" | "cancel" | "accept") =>
  new PaymentSteps({
    pg: noDatabase,
    cfg,
    booking: booking as unknown as BookingView,
    payment: held,
    paymentMethodId: null,
    action,
  });

describe("a payment method this deployment no longer has credentials for", () => {
  it("answers 503 with the key released for steps that move money", async () => {
    for (const settled of [await steps("complete").complete(), await steps("cancel").cancel(0)]) {
      expect(settled.go).toBe(false);
      if (settled.go) continue;
      expect(settled.release).toBe(true);
      expect(settled.outcome).toMatchObject({ ok: false, code: "dependency_unavailable" });
    }
  });

  it("still shows the payment for steps without money", () => {
    expect(steps("accept").current).toMatchObject({ status: "authorized", gateway: "bkash", amount_poisha: 50_000 });
  });
});
