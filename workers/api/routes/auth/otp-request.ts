// POST /auth/otp/request: sends a login code by SMS. Same 202 whether or not the number has an account.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { OtpSmsMessage } from "../../../../lib/messages";
import { normalizePhone } from "../../../../lib/phone";
import { OTP_RESEND_AFTER_S, RATE_LIMITS } from "../../../../lib/policy";
import { enforceLimit, rateLimited, requesterKey } from "../../auth/limits";
import { claimResend, issueOtp, liveOrNewOtp, OTP_TTL_S, phoneKey, releaseResend } from "../../auth/otp";
import { type App, defineRoute } from "../../openapi";
import { PhoneInput } from "./schemas";

const Body = z.object({ phone: PhoneInput }).openapi("OtpRequest");
const Accepted = z
  .object({ status: z.literal("sent"), expires_in: z.number().int(), resend_after: z.number().int() })
  .openapi("OtpRequested");

const route = defineRoute({
  operationId: "requestOtp",
  errors: [429],

  method: "post",
  path: "/otp/request",
  tags: ["auth"],
  summary: "Send a login code by SMS",
  description:
    `One SMS per number per resend_after (${OTP_RESEND_AFTER_S} s), whoever asks: a request inside it answers 429 ` +
    "with Retry-After and sends nothing. A live code is never replaced: a later request re-sends the same code " +
    "(expires_in is what is left of it), so requests by anyone else cannot invalidate the code the owner is " +
    `typing. Limits: ${RATE_LIMITS.otpRequestPerPhoneRequester.tokens} requests per number per requester (IP, ` +
    `IPv6 by /64) per ${RATE_LIMITS.otpRequestPerPhoneRequester.window}, so a stranger using up theirs leaves the ` +
    `owner theirs; ${RATE_LIMITS.otpSendPerPhone.tokens} SMS per number per ${RATE_LIMITS.otpSendPerPhone.window} ` +
    `from everyone together; ${RATE_LIMITS.otpRequestPerIp.tokens} requests per IP per ` +
    `${RATE_LIMITS.otpRequestPerIp.window}. Test numbers (never in production) are exempt.`,
  request: {
    body: { required: true, content: { "application/json": { schema: Body, example: { phone: "01712-345678" } } } },
  },
  responses: {
    202: {
      description: "Code sent (or silently not, if limits apply)",
      content: { "application/json": { schema: Accepted } },
    },
  },
});

export function registerOtpRequest(app: App) {
  app.openapi(route, async (c) => {
    const phone = normalizePhone(c.req.valid("json").phone);
    if (!phone) throw new ApiError("invalid_input", { message: "invalid_phone" });
    const { config, services } = c.var;
    const redis = services.redis();
    const pk = await phoneKey(config.OTP_HMAC_SECRET, phone);
    const fixedCode = config.testNumbers.get(phone);
    // Test numbers (never in production) skip the limits, like Firebase's: they send no SMS and have a fixed code,
    // so `npm run dev`, the tests and the benchmark can log them in as often as they need.
    if (fixedCode) {
      await issueOtp(redis, config.OTP_HMAC_SECRET, phone, fixedCode);
      return c.json({ status: "sent" as const, expires_in: OTP_TTL_S, resend_after: OTP_RESEND_AFTER_S }, 202);
    }
    const ip = c.req.header("cf-connecting-ip");
    await enforceLimit(redis, "otpRequestPerIp", ip ?? "local");
    await enforceLimit(redis, "otpRequestPerPhoneRequester", `${pk}:${await requesterKey(config.OTP_HMAC_SECRET, ip)}`);
    const wait = await claimResend(redis, pk);
    if (wait > 0) throw rateLimited(wait);
    await enforceLimit(redis, "otpSendPerPhone", pk);
    const { code, expiresIn } = await liveOrNewOtp(redis, config.OTP_HMAC_SECRET, phone);
    try {
      await c.env.SMS_OUTBOX.send(
        OtpSmsMessage.parse({
          type: "sms.otp",
          message_id: crypto.randomUUID(),
          to: phone,
          lang: c.var.lang,
          code,
          expires_in: expiresIn,
        }),
      );
    } catch (err) {
      // Nothing went out: the owner may ask again at once rather than wait out an interval for an SMS never sent.
      await releaseResend(redis, pk).catch(() => undefined);
      throw err;
    }
    return c.json({ status: "sent" as const, expires_in: expiresIn, resend_after: OTP_RESEND_AFTER_S }, 202);
  });
}
