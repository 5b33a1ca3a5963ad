// POST /auth/otp/request: sends a login code by SMS. Same 202 whether or not the number has an account.
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { OtpSmsMessage } from "../../../../lib/messages";
import { normalizePhone } from "../../../../lib/phone";
import { enforceLimit } from "../../auth/limits";
import { issueOtp, OTP_TTL_S, phoneKey } from "../../auth/otp";
import { type App, errorResponses } from "../../openapi";
import { PhoneInput } from "./schemas";

const Body = z.object({ phone: PhoneInput }).openapi("OtpRequest");
const Accepted = z
  .object({ status: z.literal("sent"), expires_in: z.number().int(), resend_after: z.number().int() })
  .openapi("OtpRequested");

const route = createRoute({
  method: "post",
  path: "/otp/request",
  tags: ["auth"],
  summary: "Send a login code by SMS",
  request: { body: { required: true, content: { "application/json": { schema: Body } } } },
  responses: {
    202: {
      description: "Code sent (or silently not, if limits apply)",
      content: { "application/json": { schema: Accepted } },
    },
    ...errorResponses(400, 429),
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
    if (!fixedCode) {
      await enforceLimit(redis, "otpRequestPerPhone", pk);
      await enforceLimit(redis, "otpRequestPerIp", c.req.header("cf-connecting-ip") ?? "local");
    }
    const code = await issueOtp(redis, config.OTP_HMAC_SECRET, phone, fixedCode);
    if (!fixedCode) {
      await c.env.SMS_OUTBOX.send(
        OtpSmsMessage.parse({
          type: "sms.otp",
          message_id: crypto.randomUUID(),
          to: phone,
          lang: c.var.lang,
          code,
          expires_in: OTP_TTL_S,
        }),
      );
    }
    return c.json({ status: "sent" as const, expires_in: OTP_TTL_S, resend_after: 60 }, 202);
  });
}
