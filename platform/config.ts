// The gateway's configuration, validated once per isolate so a bad deploy fails loudly with names, not values.
import { z } from "zod";
import { BOOKING_LIMITS, MATCH_LIMITS } from "../lib/policy";
import { DEFAULT_PRIOR, type RatingPrior } from "../lib/reputation";
import { parseReturnAllowlist, RETURN_URL_DEFAULT, type ReturnRule } from "../lib/return-url";

const Environment = z.enum(["development", "test", "staging", "production"]);

export const ConfigSchema = z.object({
  ENVIRONMENT: Environment,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  NEON_WS_PROXY: z
    .string()
    .regex(/^[\w.-]+:\d+\/v1$/, "must look like host:port/v1")
    .optional(),
  /** Neon's HTTP query endpoint (`neon()` over /sql); set locally to the dev stack's bridge, unset in production. */
  NEON_HTTP_ENDPOINT: z.url().optional(),
  /**
   * How the gateway reads and the providers' objects write: `http` runs each statement over Neon's stateless HTTP
   * path (connections pooled on Neon's side, none held by Workers or objects); `objects` reads through the
   * PgReader objects and `websocket` keeps one connection per busy provider object (the earlier design).
   */
  PG_READS: z.enum(["http", "objects"]).default("http"),
  PG_OBJECT_WRITES: z.enum(["http", "websocket"]).default("http"),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  CORS_ORIGINS: z.string().default("*"),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Ed25519 JWK set ({"keys":[…]}) with kids; private keys sign, public-only keys still verify during rotation. */
  AUTH_JWKS: z.string().min(2),
  AUTH_SIGNING_KID: z.string().optional(),
  /** Keys the OTP HMAC and the phone hashes used in Redis keys. */
  OTP_HMAC_SECRET: z.string().min(32, "must be at least 32 characters"),
  BOOKING_MIN_NOTICE_MIN: z.coerce.number().int().min(0).default(60),
  BOOKING_MIN_DURATION_MIN: z.coerce.number().int().min(1).default(30),
  BOOKING_MAX_DURATION_H: z.coerce.number().int().min(1).max(168).default(72),
  BOOKING_ACCEPT_TIMEOUT_MIN: z.coerce.number().int().min(1).default(60),
  /** Abuse limits (lib/policy.ts BOOKING_LIMITS holds the production defaults; SECURITY.md says what each answers). */
  BOOKING_MAX_PENDING_PER_CUSTOMER: z.coerce.number().int().min(1).default(BOOKING_LIMITS.pendingPerCustomer),
  BOOKING_MAX_PENDING_PER_PROVIDER_DAY: z.coerce.number().int().min(1).default(BOOKING_LIMITS.pendingPerProviderDay),
  BOOKING_CONFIRM_WITHIN_H: z.coerce.number().min(0.05).max(720).default(BOOKING_LIMITS.confirmWithinHours),
  BOOKING_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(BOOKING_LIMITS.horizonDays),
  FREE_CANCEL_HOURS: z.coerce.number().min(0).default(24),
  LATE_CANCEL_FEE_HOURS: z.coerce.number().min(0).default(1),
  /** KYC documents: R2's S3 endpoint (https://<account>.r2.cloudflarestorage.com) or the local simulator. */
  KYC_S3_ENDPOINT: z.url(),
  KYC_S3_BUCKET: z.string().min(3),
  KYC_S3_REGION: z.string().default("auto"),
  KYC_S3_ACCESS_KEY_ID: z.string().min(1),
  KYC_S3_SECRET_ACCESS_KEY: z.string().min(1),
  /** Stripe (cards): https://api.stripe.com in production, the simulator locally. */
  STRIPE_API_URL: z.url().default("https://api.stripe.com"),
  STRIPE_SECRET_KEY: z.string().min(1),
  STRIPE_WEBHOOK_SECRET: z.string().min(8),
  /** Where wallets send the customer back: this gateway's public origin (callbacks live under /payments). */
  PUBLIC_API_URL: z.url().default("http://127.0.0.1:8080"),
  /**
   * Where a wallet's return may send the customer's browser (a booking's return_url must match one): comma-separated
   * `app-scheme://` or `https://host/path-prefix`; `http://host:*` (any port) for local testing only.
   */
  RETURN_URL_ALLOWLIST: z
    .string()
    .default(RETURN_URL_DEFAULT)
    .superRefine((raw, ctx) => {
      try {
        parseReturnAllowlist(raw);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : "invalid entry" });
      }
    }),
  /** bKash tokenized checkout; the method is refused at booking time while these are unset. */
  BKASH_API_URL: z.url().default("https://tokenized.pay.bka.sh/v1.2.0-beta/tokenized/checkout"),
  BKASH_APP_KEY: z.string().min(1).optional(),
  BKASH_APP_SECRET: z.string().min(1).optional(),
  BKASH_USERNAME: z.string().min(1).optional(),
  BKASH_PASSWORD: z.string().min(1).optional(),
  /** Nagad checkout: merchant id, our PKCS#8 private key and Nagad's public key (PEM or bare base64). */
  NAGAD_API_URL: z.url().default("https://api.mynagad.com/api/dfs"),
  NAGAD_MERCHANT_ID: z.string().min(1).optional(),
  NAGAD_MERCHANT_NUMBER: z.string().optional(),
  NAGAD_MERCHANT_PRIVATE_KEY: z.string().min(100).optional(),
  NAGAD_PUBLIC_KEY: z.string().min(100).optional(),
  /** How long a gateway call may take before we stop waiting (the reconciler asks again later). */
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  /** A wallet approval not called back within this many minutes is abandoned (the reconciler settles it). */
  PAYMENT_ACTION_TTL_MIN: z.coerce.number().int().min(1).default(30),
  /** The reconciler asks the gateway about payments left in between for this long. */
  PAYMENT_RECONCILE_AFTER_S: z.coerce.number().int().min(0).default(120),
  /** Card holds older than this are renewed (Stripe holds lapse after about 7 days). */
  CARD_HOLD_RENEW_DAYS: z.coerce.number().min(0).max(7).default(6),
  /** Reviews: how long after completion both sides may review (then whatever was written is published). */
  REVIEW_WINDOW_DAYS: z.coerce.number().positive().max(90).default(14),
  /** The reminder goes to whoever has not reviewed yet this long before the window closes. */
  REVIEW_REMINDER_BEFORE_H: z.coerce.number().min(0).max(720).default(48),
  /** A provider's reply to a review can be edited for this long after it is first written. */
  REVIEW_REPLY_EDIT_H: z.coerce.number().min(0).max(720).default(48),
  /**
   * The Bayesian rating's prior (lib/reputation.ts): every provider starts as if they had REPUTATION_PRIOR_WEIGHT
   * (m) reviews of REPUTATION_PRIOR_MEAN (C) stars. m = 10, C = 4.0 by default.
   */
  REPUTATION_PRIOR_WEIGHT: z.coerce.number().min(0.5).max(1000).default(DEFAULT_PRIOR.weight),
  REPUTATION_PRIOR_MEAN: z.coerce.number().min(1).max(5).default(DEFAULT_PRIOR.mean),
  /** Earnings become payable this long after a booking ends; a customer may dispute within it (72 h). */
  DISPUTE_WINDOW_S: z.coerce.number().int().min(0).default(259_200),
  /** A provider is paid out only when at least this much is available (৳500). */
  PAYOUT_MIN_POISHA: z.coerce.number().int().min(0).default(50_000),
  /** Payouts above this wait for an admin's approval (৳25 000; bKash personal wallets take about ৳50 000 a day). */
  PAYOUT_APPROVAL_ABOVE_POISHA: z.coerce.number().int().min(0).default(2_500_000),
  /** Cash commission a provider may owe before they cannot accept new cash bookings (৳3 000). */
  CASH_DEBT_LIMIT_POISHA: z.coerce.number().int().min(0).default(300_000),
  /** Hours between scheduled payout runs (weekly). The cron checks every minute whether one is due. */
  PAYOUT_INTERVAL_H: z.coerce.number().min(1).default(168),
  /** Payouts whose answer was lost are asked about after this long. */
  PAYOUT_RECONCILE_AFTER_S: z.coerce.number().int().min(0).default(120),
  /** Development only: a new payout account counts as verified at once (production: ops verify it). */
  PAYOUT_ACCOUNT_AUTO_VERIFY: z.enum(["true", "false"]).default("false"),
  /** Chat (lib/chat.ts has the fixed limits): a conversation stays writable this many days after its booking ends. */
  CHAT_OPEN_DAYS_AFTER: z.coerce.number().min(0).max(90).default(7),
  /** How long a WebSocket ticket lives (single use). */
  CHAT_TICKET_TTL_S: z.coerce.number().int().min(5).max(300).default(30),
  /** Messages one participant may send per minute in a conversation (at least 30 stay allowed). */
  CHAT_MESSAGES_PER_MIN: z.coerce.number().int().min(30).max(600).default(60),
  /** Messages with contact details redacted, per sender and conversation, that open a moderation case. */
  CHAT_CONTACT_STRIKES: z.coerce.number().int().min(1).max(100).default(3),
  /** Messages to an offline participant within this window become one push (collapsed per conversation). */
  CHAT_PUSH_COLLAPSE_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  /**
   * Matching (job requests): a wave offers the job to this many providers at once, each offer open this many
   * seconds; the search gives up after MATCH_SEARCH_MIN minutes (NO_PROVIDER). Providers are asked only within
   * their own service radius and never farther than MATCH_MAX_RADIUS_KM from the job.
   */
  MATCH_WAVE_SIZE: z.coerce.number().int().min(1).max(20).default(3),
  MATCH_OFFER_WINDOW_S: z.coerce.number().int().min(5).max(3600).default(60),
  MATCH_SEARCH_MIN: z.coerce.number().min(0.5).max(1440).default(10),
  MATCH_MAX_RADIUS_KM: z.coerce.number().min(1).max(50).default(20),
  /** Requests one customer may have searching at once; past it 429. */
  MATCH_MAX_OPEN_PER_CUSTOMER: z.coerce.number().int().min(1).default(MATCH_LIMITS.openPerCustomer),
  /** Fixed-code test numbers, "+8801700000001:123456,…". Development and test only. */
  AUTH_TEST_NUMBERS: z.string().optional(),
});

export type Config = z.infer<typeof ConfigSchema> & {
  corsOrigins: string[] | "*";
  /** REPUTATION_PRIOR_WEIGHT and REPUTATION_PRIOR_MEAN, together. */
  ratingPrior: RatingPrior;
  returnRules: ReturnRule[];
  testNumbers: Map<string, string>;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

const cache = new WeakMap<object, Config>();

/** Parses the Worker env. Production must not run through a local bridge. Memoised per env object (one per isolate). */
export function loadConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${names}`);
  }
  const cfg = parsed.data;
  if (cfg.ENVIRONMENT === "production" && cfg.NEON_HTTP_ENDPOINT) {
    throw new ConfigError(
      "invalid configuration: NEON_HTTP_ENDPOINT is for local development and must be unset in production",
    );
  }
  if (cfg.ENVIRONMENT === "production" && cfg.NEON_WS_PROXY) {
    throw new ConfigError(
      "invalid configuration: NEON_WS_PROXY is for local development and must be unset in production",
    );
  }
  if (cfg.ENVIRONMENT === "production" && (!env.PUBLIC_API_URL || !cfg.PUBLIC_API_URL.startsWith("https://"))) {
    throw new ConfigError("invalid configuration: PUBLIC_API_URL must be the https origin of the API in production");
  }
  const returnRules = parseReturnAllowlist(cfg.RETURN_URL_ALLOWLIST);
  // Production sends customers only to https pages and the app's own scheme, on fixed ports.
  if (
    cfg.ENVIRONMENT === "production" &&
    returnRules.some((r) => r.kind === "web" && (r.scheme !== "https:" || r.port === "*"))
  ) {
    throw new ConfigError(
      "invalid configuration: RETURN_URL_ALLOWLIST must list only app schemes and https prefixes in production",
    );
  }
  const testNumbers = parseTestNumbers(cfg.AUTH_TEST_NUMBERS);
  if (cfg.ENVIRONMENT === "production" && cfg.PAYOUT_ACCOUNT_AUTO_VERIFY === "true") {
    throw new ConfigError(
      "invalid configuration: PAYOUT_ACCOUNT_AUTO_VERIFY is for development and must be false in production",
    );
  }
  if (cfg.ENVIRONMENT === "production" && testNumbers.size > 0) {
    throw new ConfigError("invalid configuration: AUTH_TEST_NUMBERS must be empty in production");
  }
  const origins = cfg.CORS_ORIGINS.trim();
  const config: Config = {
    ...cfg,
    corsOrigins:
      origins === "*"
        ? "*"
        : origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean),
    testNumbers,
    returnRules,
    ratingPrior: { weight: cfg.REPUTATION_PRIOR_WEIGHT, mean: cfg.REPUTATION_PRIOR_MEAN },
  };
  cache.set(env, config);
  return config;
}

function parseTestNumbers(raw: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of (raw ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [phone, code] = entry.split(":");
    if (!phone || !/^\+8801[3-9]\d{8}$/.test(phone) || !code || !/^\d{6}$/.test(code)) {
      throw new ConfigError("invalid configuration: AUTH_TEST_NUMBERS entries must look like +8801XXXXXXXXX:123456");
    }
    out.set(phone, code);
  }
  return out;
}
