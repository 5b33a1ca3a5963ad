// The middleware that sends each request with the session's bearer token and retries it: once after a refresh on a
// 401, and (for requests safe to repeat) after a network error or a 503, resending the same bytes and the same key.
import type { Middleware } from "openapi-fetch";

/** What a retry needs of the original request: openapi-fetch hands middleware a Request whose body is read once. */
interface Snapshot {
  method: string;
  url: string;
  headers: Headers;
  body: ArrayBuffer | null;
  /** The access token this request carried, when the client added one. */
  bearer: string | undefined;
  retriesLeft: number;
}

export interface RetryOptions {
  /** Retries after a network error or a 503, for GETs and requests with an Idempotency-Key. Default 1. */
  attempts?: number;
  /** Wait before a retry when the answer names no Retry-After, in ms. Default 200. */
  delayMs?: number;
  /** The longest wait honoured from a Retry-After header, in ms. Default 2000. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  fetch: (request: Request) => Promise<Response>;
  /** The current access token, if signed in. */
  accessToken: () => Promise<string | undefined>;
  /** Rotates the session after `stale` was refused; resolves to the token to retry with, if any (single-flight). */
  refreshAfter: (stale: string) => Promise<string | undefined>;
  retry?: RetryOptions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function transportMiddleware(opts: TransportOptions): Middleware {
  const snapshots = new Map<string, Snapshot>();
  const attempts = opts.retry?.attempts ?? 1;
  const delayMs = opts.retry?.delayMs ?? 200;
  const maxDelayMs = opts.retry?.maxDelayMs ?? 2000;

  const send = (s: Snapshot, bearer = s.bearer) => {
    const headers = new Headers(s.headers);
    if (bearer) headers.set("authorization", `Bearer ${bearer}`);
    return opts.fetch(new Request(s.url, { method: s.method, headers, body: s.body }));
  };
  // Repeating a POST is safe only under an Idempotency-Key: the server then answers the first attempt's result.
  const repeatable = (s: Snapshot) => s.method === "GET" || s.method === "HEAD" || s.headers.has("idempotency-key");
  const waitFor = (res?: Response) => {
    const after = Number(res?.headers.get("retry-after"));
    return Number.isFinite(after) && after >= 0 && res?.headers.has("retry-after")
      ? Math.min(after * 1000, maxDelayMs)
      : delayMs;
  };

  return {
    async onRequest({ request, id }) {
      let bearer: string | undefined;
      if (!request.headers.has("authorization")) {
        bearer = await opts.accessToken();
        if (bearer) request.headers.set("authorization", `Bearer ${bearer}`);
      }
      const body = request.body ? await request.clone().arrayBuffer() : null;
      snapshots.set(id, {
        method: request.method,
        url: request.url,
        headers: new Headers(request.headers),
        body,
        bearer,
        retriesLeft: attempts,
      });
      return request;
    },

    async onError({ id, error }) {
      const s = snapshots.get(id);
      if (!s || !repeatable(s) || s.retriesLeft < 1) {
        snapshots.delete(id);
        return error instanceof Error ? error : new Error(String(error));
      }
      s.retriesLeft -= 1;
      await sleep(delayMs);
      try {
        return await send(s);
      } catch (again) {
        snapshots.delete(id);
        return again instanceof Error ? again : new Error(String(again));
      }
    },

    async onResponse({ id, response }) {
      const s = snapshots.get(id);
      snapshots.delete(id);
      if (!s) return undefined;
      let res = response;
      while (res.status === 503 && repeatable(s) && s.retriesLeft > 0) {
        s.retriesLeft -= 1;
        await sleep(waitFor(res));
        res = await send(s);
      }
      // Only a token this client added is refreshed: a caller's own Authorization header is theirs to handle.
      if (res.status === 401 && s.bearer) {
        const fresh = await opts.refreshAfter(s.bearer);
        if (fresh) res = await send(s, fresh);
      }
      return res === response ? undefined : res;
    },
  };
}
