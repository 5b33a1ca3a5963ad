// Abuse limits (login, public payment callbacks), enforced in Redis with @upstash/ratelimit (sliding windows, shared
// by every edge location). The figures are policy and live in lib/policy.ts.
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis/cloudflare";
import { ApiError } from "../../../lib/errors";
import { RATE_LIMITS } from "../../../lib/policy";
import { hmacHex } from "./crypto";

type Duration = Parameters<typeof Ratelimit.slidingWindow>[1];

export const LIMITS: Record<keyof typeof RATE_LIMITS, { tokens: number; window: Duration }> = RATE_LIMITS;

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
  const { success, reset, pending } = await limiter.limit(identifier);
  // The limiter's background work (analytics, multi-region sync) is off, but its promise can still reject when Redis
  // drops mid-call: handle it, or workerd reports an uncaught error for a request that already answered.
  pending.catch(() => {});
  if (!success) throw rateLimited(Math.ceil((reset - Date.now()) / 1000));
}

export const rateLimited = (retryAfterS: number) =>
  new ApiError("rate_limited", { headers: { "Retry-After": String(Math.max(1, retryAfterS)) } });

/**
 * Who is asking, as far as the edge can tell: the client IP, an IPv6 address by its /64 (one subscriber's
 * prefix, which they can rotate freely within). Hashed, so Redis holds no addresses.
 */
export function requesterKey(secret: string, ip: string | undefined): Promise<string> {
  return hmacHex(secret, `requester:${requesterPrefix(ip ?? "local")}`, 12);
}

export function requesterPrefix(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
