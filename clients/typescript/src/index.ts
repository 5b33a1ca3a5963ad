// @kormo/client: the typed Kormo Mela API client. `raw` is openapi-fetch over the generated `paths`; the helpers add
// OTP login with a DPoP-bound device key, single-flight refresh with rotation, Idempotency-Keys and Accept-Language.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { createDeviceKey, type DeviceKey, dpopProof } from "./dpop";
import { type ClientPaths, idempotencyMiddleware } from "./idempotency";
import { memoryStorage, type SessionStorage, type StoredSession } from "./storage";
import { type RetryOptions, transportMiddleware } from "./transport";
import type { DevicePlatform, Lang } from "./types";

export { createDeviceKey, type DeviceKey, dpopProof } from "./dpop";
export { type ClientPaths, type IdempotentOperation, takesIdempotencyKey } from "./idempotency";
export type { components, paths } from "./schema";
export { memoryStorage, type SessionStorage, type StoredSession } from "./storage";
export type { RetryOptions } from "./transport";
export type * from "./types";

export interface KormoClientOptions {
  /** The API origin, e.g. https://api.kormomela.com (no trailing path). */
  baseUrl: string;
  /** Defaults to globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Sent as Accept-Language: error messages (and the language a new account starts with) follow it. */
  lang?: Lang;
  /** Where the session is kept; memory by default. */
  storage?: SessionStorage;
  /** This installation: a stable id (one session per device), its platform and a name the user recognises. */
  device?: { id?: string; platform?: DevicePlatform; name?: string };
  /** Bind the session to a device key (DPoP on refresh). Default true. */
  dpop?: boolean;
  retry?: RetryOptions;
}

export type KormoClient = ReturnType<typeof createKormoClient>;

const REFRESH_PATH = "/auth/token/refresh";

export function createKormoClient(options: KormoClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const storage = options.storage ?? memoryStorage();
  const device = {
    id: options.device?.id ?? crypto.randomUUID(),
    platform: options.device?.platform ?? "web",
    name: options.device?.name,
  };

  const language: Middleware = {
    onRequest({ request }) {
      if (options.lang && !request.headers.has("accept-language")) request.headers.set("accept-language", options.lang);
      return request;
    },
  };

  /** For the auth endpoints: no bearer token is added and a 401 is an answer, not a reason to refresh. */
  const bare: Client<ClientPaths> = createClient<ClientPaths>({ baseUrl, fetch: doFetch });
  bare.use(language);

  let refreshing: Promise<string | undefined> | undefined;

  /** Spends the refresh token for a new pair, signed by the device key when the session has one. */
  async function rotate(): Promise<string | undefined> {
    const session = await storage.load();
    if (!session) return undefined;
    const headers: Record<string, string> = { authorization: `Bearer ${session.refreshToken}` };
    if (session.deviceKey) headers.dpop = await dpopProof(session.deviceKey, "POST", `${baseUrl}${REFRESH_PATH}`);
    else headers["x-device-id"] = device.id;
    const { data, response } = await bare.POST(REFRESH_PATH, { headers });
    if (data) {
      await storage.save({ ...session, accessToken: data.access_token, refreshToken: data.refresh_token });
      return data.access_token;
    }
    // 401: the token was spent, revoked or expired and the session is over. Anything else (503) may pass.
    if (response.status === 401) await storage.clear();
    return undefined;
  }

  /** One refresh at a time: concurrent callers share it, whoever started it. */
  function refresh(): Promise<string | undefined> {
    refreshing ??= rotate().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  /** After `stale` was refused: the token to retry with. A request that raced a finished refresh just retries. */
  async function refreshAfter(stale: string): Promise<string | undefined> {
    if (refreshing) return refreshing;
    const session = await storage.load();
    if (!session) return undefined;
    if (session.accessToken !== stale) return session.accessToken;
    return refresh();
  }

  const raw: Client<ClientPaths> = createClient<ClientPaths>({ baseUrl, fetch: doFetch });
  raw.use(
    language,
    idempotencyMiddleware(),
    transportMiddleware({
      fetch: doFetch,
      accessToken: async () => (await storage.load())?.accessToken,
      refreshAfter,
      retry: options.retry,
    }),
  );

  return {
    /** The typed openapi-fetch client: every path and method of the document, with the session applied. */
    raw,
    storage,
    device,

    /** Step 1 of login: the server texts a six-digit code (202 also when the number is new). */
    requestOtp: (phone: string) => bare.POST("/auth/otp/request", { body: { phone } }),

    /** Step 2: trades the code for a session, enrolling a fresh device key for DPoP unless `dpop: false`. */
    async verifyOtp(phone: string, code: string) {
      const deviceKey: DeviceKey | undefined = options.dpop === false ? undefined : await createDeviceKey();
      const result = await bare.POST("/auth/otp/verify", {
        body: {
          phone,
          code,
          device_id: device.id,
          platform: device.platform,
          ...(device.name ? { device_name: device.name } : {}),
          ...(deviceKey ? { device_key: deviceKey.publicJwk } : {}),
        },
      });
      if (result.data) {
        const session: StoredSession = {
          accessToken: result.data.access_token,
          refreshToken: result.data.refresh_token,
          sessionId: result.data.session_id,
          user: result.data.user,
          ...(deviceKey ? { deviceKey } : {}),
        };
        await storage.save(session);
      }
      return result;
    },

    /** Rotates the refresh token now; resolves to whether the client still has a session. */
    refresh: async () => (await refresh()) !== undefined,

    /** Ends this session at the server and forgets it here, whatever the server answered. */
    async logout() {
      try {
        return await raw.POST("/auth/logout");
      } finally {
        await storage.clear();
      }
    },

    session: async (): Promise<StoredSession | undefined> => storage.load(),
  };
}
