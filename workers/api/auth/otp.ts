// One-time codes in Redis: only an HMAC of the code is stored, each attempt burns a try before it is compared.
import type { Redis } from "@upstash/redis/cloudflare";
import { b64, hmac, hmacHex, hmacVerify, randomCode } from "./crypto";

export const OTP_TTL_S = 300;
export const OTP_MAX_TRIES = 5;

/** Redis keys name phones only through an HMAC, so the cache holds no phone numbers. */
export function phoneKey(secret: string, phone: string): Promise<string> {
  return hmacHex(secret, `phone:${phone}`, 16);
}

const otpKey = (pk: string) => `otp:v1:${pk}`;

export async function issueOtp(redis: Redis, secret: string, phone: string, fixedCode?: string): Promise<string> {
  const code = fixedCode ?? randomCode();
  const mac = await hmac(secret, `otp:${phone}:${code}`);
  const key = otpKey(await phoneKey(secret, phone));
  // A new code replaces the old one and resets the tries.
  await redis
    .multi()
    .del(key)
    .hset(key, { h: b64.encode(mac), t: 0 })
    .expire(key, OTP_TTL_S)
    .exec();
  return code;
}

// Atomically count the attempt and read the stored MAC; a missing key stays missing (no stray key without a TTL).
const ATTEMPT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local n = redis.call('HINCRBY', KEYS[1], 't', 1)
return {n, redis.call('HGET', KEYS[1], 'h')}
`;

export type OtpCheck = "ok" | "invalid" | "expired" | "locked";

export async function checkOtp(redis: Redis, secret: string, phone: string, code: string): Promise<OtpCheck> {
  const key = otpKey(await phoneKey(secret, phone));
  const attempt = redis.createScript<[number, string] | null>(ATTEMPT_LUA);
  const result = await attempt.exec([key], []);
  if (!result) return "expired";
  const [tries, stored] = result;
  if (tries > OTP_MAX_TRIES) {
    await redis.del(key);
    return "locked";
  }
  const ok = await hmacVerify(secret, `otp:${phone}:${code}`, b64.decode(stored));
  if (!ok) {
    if (tries >= OTP_MAX_TRIES) {
      await redis.del(key);
      return "locked";
    }
    return "invalid";
  }
  // Single use: of two concurrent correct verifies, only the one that deletes the key wins.
  return (await redis.del(key)) === 1 ? "ok" : "expired";
}
