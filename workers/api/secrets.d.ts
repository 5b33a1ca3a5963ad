// Secrets of the gateway: set with `wrangler secret put` in deployed envs and by `npm run dev` (.dev.vars) locally.
// `wrangler types` only sees [vars], so they are declared here (on both the global Env and cloudflare:workers' env).
interface KormoSecrets {
  AUTH_JWKS: string;
  AUTH_SIGNING_KID?: string;
  OTP_HMAC_SECRET: string;
  AUTH_TEST_NUMBERS?: string;
}
interface Env extends KormoSecrets {}
declare namespace Cloudflare {
  interface Env extends KormoSecrets {}
}
