// The gateway refuses to run misconfigured: with test numbers or a local bridge in production, or bad values.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../workers/api/config";

const base = {
  ENVIRONMENT: "production",
  DATABASE_URL: "postgres://u:p@ep-x-pooler.neon.tech/kormo",
  UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "t",
  AUTH_JWKS: '{"keys":[]}',
  OTP_HMAC_SECRET: "x".repeat(32),
  KYC_S3_ENDPOINT: "https://acct.r2.cloudflarestorage.com",
  KYC_S3_BUCKET: "kyc-bucket",
  KYC_S3_ACCESS_KEY_ID: "a",
  KYC_S3_SECRET_ACCESS_KEY: "b",
  STRIPE_SECRET_KEY: "sk_live_x",
  STRIPE_WEBHOOK_SECRET: "whsec_x1234567",
};
const env = (extra: Record<string, string>) => ({ ...base, ...extra }) as unknown as Env;

describe("configuration", () => {
  it("accepts a production configuration without test numbers", () => {
    expect(loadConfig(env({})).ENVIRONMENT).toBe("production");
  });

  it("refuses test numbers in production, and allows them in development", () => {
    expect(() => loadConfig(env({ AUTH_TEST_NUMBERS: "+8801700000001:123456" }))).toThrow(ConfigError);
    expect(
      loadConfig(env({ ENVIRONMENT: "development", AUTH_TEST_NUMBERS: "+8801700000001:123456" })).testNumbers.size,
    ).toBe(1);
  });

  it("refuses the local database bridge in production", () => {
    expect(() => loadConfig(env({ NEON_WS_PROXY: "127.0.0.1:5480/v1" }))).toThrow(/NEON_WS_PROXY/);
  });

  it("names the variable that is wrong, never its value", () => {
    try {
      loadConfig(env({ OTP_HMAC_SECRET: "short-secret-value" }));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain("OTP_HMAC_SECRET");
      expect((err as Error).message).not.toContain("short-secret-value");
    }
  });
});
