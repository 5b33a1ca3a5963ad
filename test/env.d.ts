// Values the global setup provides to every test project.
declare module "vitest" {
  export interface ProvidedContext {
    vars: Record<string, string>;
    redisUrl: string;
    retiredJwk: string;
    strangerJwk: string;
    /** The browser suites' gateway origin (test/browser/global-setup.mjs). */
    gatewayUrl: string;
  }
}

export {};
