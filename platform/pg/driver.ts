// Postgres access for Workers and Durable Objects: Neon's serverless driver, pointed at Neon or a local bridge by config.
//
// Failures of the socket under the driver must reach the statement's caller as Errors and nowhere else. Two things
// in the driver would otherwise escape: a client emits 'error' when its socket drops (also between statements, and
// for a Postgres-side termination), and an EventEmitter with no 'error' listener throws it from inside the socket's
// event handler, where no caller can catch it (workerd logs "Uncaught Error: Connection terminated unexpectedly");
// and the WebSocket's own error event (an ErrorEvent, not an Error) is handed on as is, so a failed connect or an
// aborted statement rejected with "#<ErrorEvent>", which nothing recognizes as a dependency failure. So every client
// made here carries a permanent 'error' listener (the statement in flight still rejects: the driver fails every
// queued query before it emits), and the WebSocket the driver gets turns its error events into Errors.
import { Client, neonConfig, Pool, type PoolClient, type WebSocketLike } from "@neondatabase/serverless";

export interface DbConfig {
  DATABASE_URL: string;
  /** "host:port/v1" of a Neon-wsproxy-compatible bridge (local dev and tests). Unset in production: Neon's own proxy. */
  NEON_WS_PROXY?: string | undefined;
}

/** The WebSocket under a Postgres connection failed; `cause` holds the platform's event. */
export class PgSocketError extends Error {
  override name = "PgSocketError";
}

/** An Error for whatever the driver rejected with (an Error already, or a socket event). */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const detail = typeof err === "object" && err !== null && "message" in err ? String(err.message) : "";
  return new PgSocketError(`Postgres WebSocket error${detail ? `: ${detail}` : ""}`, { cause: err });
}

/**
 * The platform's WebSocket as the driver uses it, except that an error event arrives as a PgSocketError. The driver
 * passes the event object on unchanged to the connect callback, the queries in flight and the client's 'error'
 * listeners, so this is the one place that sees every one of them.
 */
class NeonWebSocket implements WebSocketLike {
  private readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url);
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get binaryType(): string {
    return this.ws.binaryType;
  }

  set binaryType(value: string) {
    if (value === "arraybuffer" || value === "blob") this.ws.binaryType = value;
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /**
   * A write after the socket closed is dropped: workerd throws on it, from inside the driver's end() or a write
   * racing the close event, where it would replace the connection error the caller is owed (the close event
   * fails every statement in flight, and the client refuses new ones).
   */
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  addEventListener(
    type: "open" | "message" | "close" | "error",
    listener: (this: WebSocketLike, ev: unknown) => unknown,
  ): void {
    const handler =
      type === "error" ? (ev: Event) => listener.call(this, asError(ev)) : (ev: Event) => listener.call(this, ev);
    this.ws.addEventListener(type, handler);
  }
}

let configuredFor: string | undefined;

/**
 * The only place that decides how the driver reaches Postgres. With NEON_WS_PROXY set it speaks plain WebSocket to the
 * local bridge (no TLS, no pipelined connect, which SCRAM would break); without it, Neon's defaults apply.
 * neonConfig is module-global, and an isolate serves exactly one env, so setting it once per isolate is correct.
 */
function configureNeon(cfg: DbConfig): void {
  const key = cfg.NEON_WS_PROXY ?? "";
  if (configuredFor === key) return;
  configuredFor = key;
  neonConfig.webSocketConstructor = NeonWebSocket;
  if (cfg.NEON_WS_PROXY) {
    const proxy = cfg.NEON_WS_PROXY;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
}

const ignore = () => {};

/** A pool for one request. Workers cannot share I/O objects across requests: end it with ctx.waitUntil(pool.end()). */
export function createPool(cfg: DbConfig, opts: { max?: number } = {}): Pool {
  configureNeon(cfg);
  const pool = new Pool({ connectionString: cfg.DATABASE_URL, max: opts.max ?? 4, connectionTimeoutMillis: 5_000 });
  // The pool listens on its idle clients only (it re-emits their errors here); a client checked out for a
  // transaction has no listener of its own unless it is given one for life.
  pool.on("error", ignore);
  pool.on("connect", (client: PoolClient) => client.on("error", ignore));
  return pool;
}

/**
 * A single long-lived connection, for owners that outlive a request (Durable Objects). It already ignores its
 * 'error' events; owners add their own listener to learn that the connection is gone (it can fire twice for one
 * dropped socket).
 */
export function createClient(cfg: DbConfig): Client {
  configureNeon(cfg);
  const client = new Client({ connectionString: cfg.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  client.on("error", ignore);
  return client;
}
