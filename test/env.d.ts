// Values the global setup provides to every test project.
declare module "vitest" {
  export interface ProvidedContext {
    vars: Record<string, string>;
    redisUrl: string;
    retiredJwk: string;
    strangerJwk: string;
    /** The browser suites' gateway origin (test/browser/global-setup.mjs). */
    gatewayUrl: string;
    /** The contract suite's gateway, its two Prism proxies and what the tests reach besides (global-setup.mjs). */
    contract: {
      gatewayUrl: string;
      prismUrl: string;
      observerUrl: string;
      prismLog: string;
      observerLog: string;
      databaseUrl: string;
      smsUrl: string;
    };
  }
}

export {};
