// Abuse limits (login, public payment callbacks), enforced in Redis with @upstash/ratelimit (sliding windows, shared by every edge location).
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis/cloudflare";
import { ApiError } from "../../../lib/errors";

type Duration = Parameters<typeof Ratelimit.slidingWindow>[1];

/** Policy in one place. Per-IP is generous: Bangladeshi mobile carriers put many users behind one CGNAT address. */
export const LIMITS = {
  otpRequestPerPhone: { tokens: 5, window: "15 m" },
  otpRequestPerIp: { tokens: 60, window: "15 m" },
  otpVerifyPerPhone: { tokens: 10, window: "15 m" },
  /** Wallet return URLs are public: each known one makes us ask the gateway, so one payment gets a few a minute. */
  paymentCallbackPerRef: { tokens: 10, window: "1 m" },
} as const satisfies Record<string, { tokens: number; window: Duration }>;

export type LimitName = keyof typeof LIMITS;

/** Consumes one token of `name` for `identifier` (never raw PII: pass a hash) or throws 429 with Retry-After. */
export async function enforceLimit(redis: Redis, name: LimitName, identifier: string): Promise<void> {
  const { tokens, window } = LIMITS[name];
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(tokens, window),
    prefix: `rl:${name}`,
    ephemeralCache: false,
    analytics: false,
  });
  const { success, reset } = await limiter.limit(identifier);
  if (!success) {
    const retryAfter = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
    throw new ApiError("rate_limited", { headers: { "Retry-After": String(retryAfter) } });
  }
}
