// POST /auth/otp/verify: trades a valid code for a session (access + refresh token); creates the user on first login.
import { z } from "@hono/zod-openapi";
import { DevicePlatform } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { normalizePhone } from "../../../../lib/phone";
import { OTP_TRIES_PER_CODE, OTP_TRIES_PER_REQUESTER, RATE_LIMITS } from "../../../../lib/policy";
import { DeviceKeySchema, thumbprint } from "../../auth/dpop";
import { enforceLimit, requesterKey } from "../../auth/limits";
import { checkOtp, phoneKey } from "../../auth/otp";
import { openSession } from "../../auth/sessions";
import { signAccessToken } from "../../auth/tokens";
import { type App, defineRoute } from "../../openapi";
import { SESSION_EXAMPLE } from "../shared/examples";
import { CodeInput, NO_STORE, PhoneInput, TokenPairSchema, UserSchema } from "./schemas";

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

const route = defineRoute({
  operationId: "verifyOtp",
  errors: [403, 429],

  method: "post",
  path: "/otp/verify",
  tags: ["auth"],
  summary: "Verify the code and sign in",
  description:
    `Wrong tries count per requester (IP, IPv6 by /64): after ${OTP_TRIES_PER_REQUESTER} at one code that ` +
    "requester is refused for it (code_locked), while the code stays valid for everyone else, so a stranger's " +
    `guesses do not burn the owner's code. After ${OTP_TRIES_PER_CODE} wrong tries from everyone together the ` +
    "code dies (a bound on guessing from many addresses) and the owner asks for a new one. A suspended account " +
    "(chat moderation) is refused with 403 account_suspended. Attempts are also " +
    `limited to ${RATE_LIMITS.otpVerifyPerPhoneRequester.tokens} per number per requester per ` +
    `${RATE_LIMITS.otpVerifyPerPhoneRequester.window} (429). Answers carry Cache-Control: no-store.`,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: Body,
          example: {
            phone: "01712-345678",
            code: "123456",
            device_id: "b7e9f7c2-4c1d-4a8e-9f3e-2d1c0b9a8f7e",
            platform: "android",
            device_name: "Pixel 8",
          },
        },
      },
    },
  },
  responses: {
    200: { description: "Signed in", content: { "application/json": { schema: Session, example: SESSION_EXAMPLE } } },
  },
});

export function registerOtpVerify(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const phone = normalizePhone(body.phone);
    if (!phone) throw new ApiError("invalid_input", { message: "invalid_phone" });
    const { config, services } = c.var;
    const redis = services.redis();
    const requester = await requesterKey(config.OTP_HMAC_SECRET, c.req.header("cf-connecting-ip"));
    if (!config.testNumbers.has(phone)) {
      const pk = await phoneKey(config.OTP_HMAC_SECRET, phone);
      await enforceLimit(redis, "otpVerifyPerPhoneRequester", `${pk}:${requester}`);
    }
    const outcome = await checkOtp(redis, config.OTP_HMAC_SECRET, phone, body.code, requester, body.device_id);
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
      NO_STORE,
    );
  });
}
