// Secrets of the gateway: set with `wrangler secret put` in deployed envs and by `npm run dev` (.dev.vars) locally.
// `wrangler types` only sees [vars], so they are declared here (on both the global Env and cloudflare:workers' env).
interface KormoSecrets {
  AUTH_JWKS: string;
  AUTH_SIGNING_KID?: string;
  OTP_HMAC_SECRET: string;
  AUTH_TEST_NUMBERS?: string;
  KYC_S3_ENDPOINT: string;
  KYC_S3_BUCKET: string;
  KYC_S3_REGION?: string;
  KYC_S3_ACCESS_KEY_ID: string;
  KYC_S3_SECRET_ACCESS_KEY: string;
  STRIPE_API_URL?: string;
  STRIPE_SECRET_KEY: string;
  STRIPE_WEBHOOK_SECRET: string;
  PUBLIC_API_URL?: string;
  BKASH_API_URL?: string;
  BKASH_APP_KEY?: string;
  BKASH_APP_SECRET?: string;
  BKASH_USERNAME?: string;
  BKASH_PASSWORD?: string;
  NAGAD_API_URL?: string;
  NAGAD_MERCHANT_ID?: string;
  NAGAD_MERCHANT_NUMBER?: string;
  NAGAD_MERCHANT_PRIVATE_KEY?: string;
  NAGAD_PUBLIC_KEY?: string;
  PAYMENT_TIMEOUT_MS?: string;
  PAYMENT_ACTION_TTL_MIN?: string;
  PAYMENT_RECONCILE_AFTER_S?: string;
  CARD_HOLD_RENEW_DAYS?: string;
}
interface Env extends KormoSecrets {}
declare namespace Cloudflare {
  interface Env extends KormoSecrets {}
}
