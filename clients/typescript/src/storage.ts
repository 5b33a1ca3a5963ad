// Where the client keeps its session between calls (and, with a persistent store, between app starts).
import type { DeviceKey } from "./dpop";
import type { User } from "./types";

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  user: User;
  /** The key this session was enrolled with; refreshes are signed with it. */
  deviceKey?: DeviceKey;
}

/**
 * A session store. Calls may be synchronous or not, so IndexedDB (which can hold the non-extractable CryptoKey), a
 * keychain bridge or plain memory all fit. The refresh token is a credential: keep it out of logs and URLs.
 */
export interface SessionStorage {
  load(): StoredSession | undefined | Promise<StoredSession | undefined>;
  save(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default: the session lives as long as the client object. */
export function memoryStorage(initial?: StoredSession): SessionStorage {
  let current = initial;
  return {
    load: () => current,
    save: (s) => {
      current = s;
    },
    clear: () => {
      current = undefined;
    },
  };
}
