// The gateway refuses to run misconfigured: with test numbers or a local bridge in production, or bad values.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../platform/config";
import { gatewayFor } from "../../platform/payments/index";

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
  PUBLIC_API_URL: "https://api.kormomela.app",
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

  it("refuses production without the https origin wallets call back to", () => {
    expect(() => loadConfig(env({ PUBLIC_API_URL: "http://127.0.0.1:8080" }))).toThrow(/PUBLIC_API_URL/);
    const { PUBLIC_API_URL: _, ...withoutOrigin } = base;
    expect(() => loadConfig(withoutOrigin as unknown as Env)).toThrow(/PUBLIC_API_URL/);
  });

  it("sends wallet returns only to the app and https prefixes in production, and refuses entries that open the gate", () => {
    expect(loadConfig(env({})).returnRules).toEqual([
      { kind: "scheme", scheme: "kormomela:" },
      { kind: "web", scheme: "https:", hostname: "kormomela.app", port: "", path: "/" },
    ]);
    expect(() => loadConfig(env({ RETURN_URL_ALLOWLIST: "kormomela://,http://localhost:*" }))).toThrow(
      /RETURN_URL_ALLOWLIST/,
    );
    expect(() => loadConfig(env({ RETURN_URL_ALLOWLIST: "https://" }))).toThrow(/RETURN_URL_ALLOWLIST/);
    expect(() => loadConfig(env({ RETURN_URL_ALLOWLIST: "javascript://" }))).toThrow(/RETURN_URL_ALLOWLIST/);
    const dev = loadConfig(
      env({ ENVIRONMENT: "development", RETURN_URL_ALLOWLIST: "kormomela://,http://localhost:*" }),
    );
    expect(dev.returnRules).toHaveLength(2);
  });

  it("offers a wallet only when its credentials are configured", () => {
    const cfg = loadConfig(env({}));
    expect(gatewayFor("cash", cfg)?.name).toBe("cash");
    expect(gatewayFor("card", cfg)?.name).toBe("stripe");
    expect(gatewayFor("bkash", cfg)).toBeNull();
    expect(gatewayFor("nagad", cfg)).toBeNull();
    const wallets = loadConfig(
      env({
        BKASH_APP_KEY: "k",
        BKASH_APP_SECRET: "s",
        BKASH_USERNAME: "u",
        BKASH_PASSWORD: "p",
        NAGAD_MERCHANT_ID: "683002007104225",
        NAGAD_MERCHANT_PRIVATE_KEY: "A".repeat(200),
        NAGAD_PUBLIC_KEY: "B".repeat(200),
      }),
    );
    expect(gatewayFor("bkash", wallets)?.mode).toBe("hold");
    expect(gatewayFor("nagad", wallets)?.mode).toBe("sale");
    expect(gatewayFor("paypal", wallets)).toBeNull();
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
