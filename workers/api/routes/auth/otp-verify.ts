// POST /auth/otp/verify: trades a valid code for a session (access + refresh token); creates the user on first login.
import { createRoute, z } from "@hono/zod-openapi";
import { DevicePlatform } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { normalizePhone } from "../../../../lib/phone";
import { DeviceKeySchema, thumbprint } from "../../auth/dpop";
import { enforceLimit } from "../../auth/limits";
import { checkOtp, phoneKey } from "../../auth/otp";
import { openSession } from "../../auth/sessions";
import { signAccessToken } from "../../auth/tokens";
import { type App, errorResponses } from "../../openapi";
import { CodeInput, PhoneInput, TokenPairSchema, UserSchema } from "./schemas";

const Body = z
  .object({
    phone: PhoneInput,
    code: CodeInput,
    device_id: text({ min: 1, max: 128 }),
    platform: DevicePlatform,
    device_name: text({ max: 120 }).optional(),
    device_key: DeviceKeySchema.optional().openapi({
      description: "Public JWK (P-256 or Ed25519) from the device keystore. Refreshes then need a DPoP proof.",
    }),
  })
  .openapi("OtpVerify");

const Session = TokenPairSchema.extend({ user: UserSchema, session_id: z.string().uuid() }).openapi("Session");

const route = createRoute({
  method: "post",
  path: "/otp/verify",
  tags: ["auth"],
  summary: "Verify the code and sign in",
  request: { body: { required: true, content: { "application/json": { schema: Body } } } },
  responses: {
    200: { description: "Signed in", content: { "application/json": { schema: Session } } },
    ...errorResponses(400, 429),
  },
});

export function registerOtpVerify(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const phone = normalizePhone(body.phone);
    if (!phone) throw new ApiError("invalid_input", { message: "invalid_phone" });
    const { config, services } = c.var;
    const redis = services.redis();
    if (!config.testNumbers.has(phone)) {
      await enforceLimit(redis, "otpVerifyPerPhone", await phoneKey(config.OTP_HMAC_SECRET, phone));
    }
    const outcome = await checkOtp(redis, config.OTP_HMAC_SECRET, phone, body.code);
    if (outcome === "invalid") throw new ApiError("invalid_input", { message: "invalid_code" });
    if (outcome === "expired") throw new ApiError("invalid_input", { message: "code_expired" });
    if (outcome === "locked") throw new ApiError("invalid_input", { message: "code_locked" });

    const deviceKey = body.device_key ? { jwk: body.device_key, jkt: await thumbprint(body.device_key) } : undefined;
    const { user, sessionId, refreshToken } = await openSession(
      services.pool(),
      phone,
      {
        deviceId: body.device_id,
        platform: body.platform,
        deviceName: body.device_name,
        deviceKey,
      },
      c.var.lang,
    );
    c.set("userId", user.id);
    const access = await signAccessToken(await services.keys(), {
      userId: user.id,
      role: user.role,
      deviceId: body.device_id,
      sessionId,
    });
    return c.json(
      {
        access_token: access.token,
        refresh_token: refreshToken,
        token_type: "Bearer" as const,
        expires_in: access.expiresIn,
        session_id: sessionId,
        user,
      },
      200,
    );
  });
}
