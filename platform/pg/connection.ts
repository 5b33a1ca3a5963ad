// A Postgres connection that outlives requests, for Durable Objects: opened on demand, reconnected after errors,
// closed when idle so many objects do not pin many server connections.
import type { Client, QueryResultRow } from "@neondatabase/serverless";
import { asError, createClient, type DbConfig } from "./driver";
import { isDependencyFailure, isSqlError } from "./errors";

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params?: unknown[],
    opts?: { prepare?: boolean },
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** What a Durable Object holds to reach Postgres: a connection of its own, or the stateless HTTP path. */
export interface ObjectDb extends Queryable {
  /** Whether it holds an open Postgres connection right now (never, for HTTP). */
  readonly connected: boolean;
  /** Shown in pg_stat_activity where a connection is the object's own. */
  applicationName: string | undefined;
  close(): Promise<void>;
}

export class PgConnection implements ObjectDb {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;
  /** Shown in pg_stat_activity, so operators (and tests) can tell whose connection is whose. */
  applicationName: string | undefined;

  constructor(
    private readonly cfg: DbConfig,
    private readonly opts: { idleMs: number; onConnect?: string[] } = { idleMs: 10_000 },
  ) {}

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = createClient(this.cfg);
      // The driver can emit 'error' more than once for one dropped socket: keep a listener for the client's life.
      client.on("error", () => this.drop(client));
      client.on("end", () => this.drop(client));
      await client.connect().catch((err: unknown) => {
        throw asError(err);
      });
      for (const stmt of this.opts.onConnect ?? []) await client.query(stmt);
      if (this.applicationName)
        await client.query("SELECT set_config('application_name', $1, false)", [this.applicationName]);
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) void this.close();
    }, this.opts.idleMs);
  }

  /**
   * Runs one statement; after a connection-level failure the next call reconnects. `prepare` names the statement
   * after its text, so the server parses and plans it once per connection (planning a search costs more than
   * running it).
   */
  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[] = [],
    opts: { prepare?: boolean } = { prepare: true },
  ) {
    this.inFlight++;
    try {
      const client = await this.connect();
      try {
        const res = opts.prepare
          ? await client.query<R>({ name: statementName(text), text, values: params })
          : await client.query<R>(text, params);
        return { rows: res.rows, rowCount: res.rowCount };
      } catch (err) {
        // A SQL error leaves the session usable; anything else (socket gone), or a SQLSTATE that says the session
        // itself ended (57P01 terminated, 08xxx), means reconnect next time.
        if (!isSqlError(err) || isDependencyFailure(err)) this.reset(client);
        throw asError(err);
      }
    } finally {
      this.inFlight--;
      this.armIdle();
    }
  }

  private reset(client: Client): void {
    this.drop(client);
    client.end().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  get connected(): boolean {
    return this.client !== undefined;
  }
}

/** A short, stable statement name for a query text (FNV-1a). */
function statementName(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `k${h.toString(36)}_${text.length}`;
}
