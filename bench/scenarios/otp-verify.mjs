// Scenario: the full phone login, OTP request then verify, each connection on its own test number.
import { ratioCheck, TEST_CODE, TEST_NUMBERS } from "../lib/auth.mjs";

export default {
  name: "otp-verify",
  description: "POST /auth/otp/request + /auth/otp/verify (Redis HMAC code, user upsert, session + refresh token)",
  connections: 4,
  duration_s: 10,
  target: "p95 <= 6x baseline, no errors",
  async setup() {
    let next = 0;
    // One number per connection: codes are single-use, so two connections on one number would burn each other's.
    const phoneFor = (context) => {
      context.phone ??= TEST_NUMBERS[next++ % TEST_NUMBERS.length];
      return context.phone;
    };
    const json = { "content-type": "application/json" };
    return {
      requests: [
        {
          method: "POST",
          path: "/auth/otp/request",
          setupRequest: (req, context) => ({
            ...req,
            headers: json,
            body: JSON.stringify({ phone: phoneFor(context) }),
          }),
        },
        {
          method: "POST",
          path: "/auth/otp/verify",
          setupRequest: (req, context) => ({
            ...req,
            headers: json,
            body: JSON.stringify({ phone: phoneFor(context), code: TEST_CODE, device_id: "bench", platform: "web" }),
          }),
        },
      ],
      check: ratioCheck("p95", 6),
    };
  },
};
