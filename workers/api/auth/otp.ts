// One-time codes in Redis, keyed by an HMAC of the number. Stored: an HMAC of the code (what verify compares) and an
// AES-GCM sealed copy (so the same code can be re-sent), never the code or the number in clear. A live code is never
// replaced by a new request; wrong tries count per requester and per code (lib/policy.ts says why).
import type { Redis } from "@upstash/redis/cloudflare";
import { sha256Hex } from "../../../lib/hash";
import { OTP_RESEND_AFTER_S, OTP_TRIES_PER_CODE, OTP_TRIES_PER_REQUESTER } from "../../../lib/policy";
import { b64, hmac, hmacHex, hmacVerify, randomCode, seal, unseal } from "./crypto";

export const OTP_TTL_S = 300;
/** Wrong tries one requester gets at one code. */
export const OTP_MAX_TRIES = OTP_TRIES_PER_REQUESTER;

/** Redis keys name phones only through an HMAC, so the cache holds no phone numbers. */
export function phoneKey(secret: string, phone: string): Promise<string> {
  return hmacHex(secret, `phone:${phone}`, 16);
}

const otpKey = (pk: string) => `otp:v1:${pk}`;
const resendKey = (pk: string) => `otp:resend:v1:${pk}`;

async function stored(secret: string, phone: string, code: string) {
  const mac = b64.encode(await hmac(secret, `otp:${phone}:${code}`));
  return { h: mac, c: await seal(secret, "otp", phone, code) };
}

/** Sets `code` (a fixed test code, or a planted one in tests) as the number's code, replacing any live one. */
export async function issueOtp(redis: Redis, secret: string, phone: string, fixedCode?: string): Promise<string> {
  const code = fixedCode ?? randomCode();
  const key = otpKey(await phoneKey(secret, phone));
  await redis
    .multi()
    .del(key)
    .hset(key, { ...(await stored(secret, phone, code)), t: 0 })
    .expire(key, OTP_TTL_S)
    .exec();
  return code;
}

/**
 * Starts the resend interval for a number, whoever asks. 0 when this request may send; otherwise the seconds
 * until one may (nothing is sent, nothing changes).
 */
export async function claimResend(redis: Redis, pk: string): Promise<number> {
  const claimed = await redis.set(resendKey(pk), 1, { nx: true, ex: OTP_RESEND_AFTER_S });
  if (claimed === "OK") return 0;
  return Math.max(1, await redis.ttl(resendKey(pk)));
}

/** Ends the resend interval early (the SMS could not be queued). */
export async function releaseResend(redis: Redis, pk: string): Promise<void> {
  await redis.del(resendKey(pk));
}

// Creates the code only when none is live (atomically: never replaces one); answers whether it created it, the live
// code's sealed copy, and its seconds left.
const LIVE_OR_NEW_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'u') == 0 then
  return {0, redis.call('HGET', KEYS[1], 'c') or '', redis.call('TTL', KEYS[1])}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'c', ARGV[2], 't', 0)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, ARGV[2], tonumber(ARGV[3])}
`;

/** The number's live code, unchanged, or a new one when there is none; with the seconds it stays valid. */
export async function liveOrNewOtp(
  redis: Redis,
  secret: string,
  phone: string,
): Promise<{ code: string; expiresIn: number; created: boolean }> {
  const fresh = randomCode();
  const s = await stored(secret, phone, fresh);
  const key = otpKey(await phoneKey(secret, phone));
  const script = redis.createScript<[number, string, number]>(LIVE_OR_NEW_LUA);
  const [created, sealed, ttl] = await script.exec([key], [s.h, s.c, String(OTP_TTL_S)]);
  if (created === 1) return { code: fresh, expiresIn: OTP_TTL_S, created: true };
  const live = await unseal(secret, "otp", phone, sealed);
  if (live) return { code: live, expiresIn: Math.max(1, ttl), created: false };
  // A live code this secret cannot open (a rotated secret): it cannot be re-sent, so it makes way for a new one.
  const code = await issueOtp(redis, secret, phone);
  return { code, expiresIn: OTP_TTL_S, created: true };
}

// Atomically count the attempt against the requester and the code, and read the stored MAC; a requester out of
// tries is refused without counting, so they cannot use up the code's tries for others. A missing key stays
// missing (no stray key without a TTL).
const ATTEMPT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local f = 'r:' .. ARGV[1]
local mine = tonumber(redis.call('HGET', KEYS[1], f) or '0')
if mine >= tonumber(ARGV[2]) then return {mine, -1, ''} end
mine = redis.call('HINCRBY', KEYS[1], f, 1)
local total = redis.call('HINCRBY', KEYS[1], 't', 1)
return {mine, total, redis.call('HGET', KEYS[1], 'h')}
`;

// Uses the code up for one consumer (a requester and device): the first correct verify marks it theirs and keeps
// it only for the grace period, so that consumer's retry after a lost answer is let in again, and nobody else.
const CONSUME_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local used = redis.call('HGET', KEYS[1], 'u')
if not used then
  redis.call('HSET', KEYS[1], 'u', ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
if used == ARGV[1] then return 1 end
return 0
`;

/** How long a used code still lets its own consumer retry (a login whose answer was lost on the way). */
export const OTP_RETRY_GRACE_S = 60;

export type OtpCheck = "ok" | "invalid" | "expired" | "locked";

/**
 * Checks a code for `requester` (a requesterKey) on `device` (the login's device_id). "locked": this requester is
 * out of tries, or the code died. A correct code is single use: it lets in one requester and device, and that one
 * again for OTP_RETRY_GRACE_S (a retry after a lost answer), never anyone else.
 */
export async function checkOtp(
  redis: Redis,
  secret: string,
  phone: string,
  code: string,
  requester: string,
  device: string,
): Promise<OtpCheck> {
  const key = otpKey(await phoneKey(secret, phone));
  const attempt = redis.createScript<[number, number, string] | null>(ATTEMPT_LUA);
  const result = await attempt.exec([key], [requester, String(OTP_TRIES_PER_REQUESTER)]);
  if (!result) return "expired";
  const [mine, total, mac] = result;
  if (total < 0) return "locked";
  if (total > OTP_TRIES_PER_CODE) {
    await redis.del(key);
    return "locked";
  }
  const ok = await hmacVerify(secret, `otp:${phone}:${code}`, b64.decode(mac));
  if (!ok) {
    if (total >= OTP_TRIES_PER_CODE) {
      await redis.del(key);
      return "locked";
    }
    return mine >= OTP_TRIES_PER_REQUESTER ? "locked" : "invalid";
  }
  // Single use: of two concurrent correct verifies from different devices, only the first to mark the code wins.
  const consumer = await sha256Hex(`${requester}|${device}`);
  const won = await redis.createScript<number>(CONSUME_LUA).exec([key], [consumer, String(OTP_RETRY_GRACE_S)]);
  return won === 1 ? "ok" : "expired";
}
