// What a step that failed part-way leaves behind: never a claimed Idempotency-Key, and never a 500 for an outage.
// Every failure inside a step (a socket cut mid-statement, Postgres restarting, a bug) releases the caller's claim,
// so the retry with the same key runs again instead of waiting a minute on "still in progress"; a release that
// cannot reach Postgres either is remembered (in memory and in the object's SQLite, which outlives the instance)
// and done first thing before the next step. The answer travels back as an Outcome: an error thrown across
// Durable Object RPC loses its properties (the SQLSTATE with them), so the gateway could no longer tell a 503 from
// a 400 or a 500.
import type { ErrorCode } from "../../lib/errors";
import type { MessageKey } from "../../lib/i18n";
import { type LogLevel, logLine } from "../../lib/log";
import { isDependencyFailure, sqlState } from "../../platform/pg/errors";
import { type Runner, run } from "../../platform/pg/sql";
import { RELEASE_KEY } from "./sql";
import type { ActorRef, Idempotency } from "./types";
import { fail, type Outcome } from "./views";

/** A claim to release: the caller, the key, and the request it was claimed for. */
export type Unreleased = { user_id: number; key: string; request_hash: string };

/** The answer to a step that failed with `err`: the code the failure deserves, never its text. */
export function failureOutcome(err: unknown): Outcome {
  const code: ErrorCode = isDependencyFailure(err)
    ? "dependency_unavailable"
    : sqlState(err)?.startsWith("22")
      ? "invalid_input"
      : "internal";
  const message: MessageKey = code;
  return fail(code, message);
}

export class StepGuard {
  /** Claims whose release failed, by `${user_id}:${key}`: mirrored in SQLite so a new instance still frees them. */
  private readonly pending = new Map<string, Unreleased>();
  private tableReady = false;

  constructor(
    private readonly pg: Runner,
    private readonly sql: SqlStorage,
    private readonly logLevel: () => LogLevel,
  ) {
    // Read only if an earlier instance wrote it: an object that never failed a release keeps no such table.
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unreleased'").toArray().length > 0) {
      this.tableReady = true;
      for (const u of sql.exec<Unreleased>("SELECT user_id, key, request_hash FROM unreleased").toArray()) {
        this.pending.set(`${u.user_id}:${u.key}`, u);
      }
    }
  }

  /** Keys left claimed by an earlier failure. */
  get unreleased(): Unreleased[] {
    return [...this.pending.values()];
  }

  /**
   * Runs one step under the lock. Claims left by an earlier failed release go first (a failure there fails this
   * step too, with nothing of its own claimed yet beyond what the release below frees); any failure of the step
   * releases the caller's claim and answers by its class.
   */
  async run(who: ActorRef, idem: Idempotency | undefined, step: () => Promise<Outcome>): Promise<Outcome> {
    try {
      await this.settleLeftovers();
      return await step();
    } catch (err) {
      return this.failed(err, who, idem);
    }
  }

  /** Frees every claim an earlier failure could not. Throws if Postgres is still out of reach. */
  async settleLeftovers(): Promise<void> {
    for (const [id, u] of this.pending) {
      await run(this.pg, RELEASE_KEY, u);
      this.pending.delete(id);
      this.sql.exec("DELETE FROM unreleased WHERE user_id = ? AND key = ?", u.user_id, u.key);
    }
  }

  private async failed(err: unknown, who: ActorRef, idem: Idempotency | undefined): Promise<Outcome> {
    const outcome = failureOutcome(err);
    await logLine(this.logLevel(), !outcome.ok && outcome.code === "internal" ? "error" : "warn", {
      msg: "booking step failed",
      code: outcome.ok ? undefined : outcome.code,
      error: err instanceof Error ? err.name : typeof err,
      // Driver messages can quote values: the first line, capped.
      detail: err instanceof Error ? err.message.split("\n")[0]?.slice(0, 160) : undefined,
    });
    if (idem) {
      const u: Unreleased = { user_id: who.userId, key: idem.key, request_hash: idem.requestHash };
      try {
        await run(this.pg, RELEASE_KEY, u);
      } catch {
        this.remember(u);
      }
    }
    return outcome;
  }

  private remember(u: Unreleased): void {
    this.pending.set(`${u.user_id}:${u.key}`, u);
    if (!this.tableReady) {
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS unreleased (user_id INTEGER NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, PRIMARY KEY (user_id, key))",
      );
      this.tableReady = true;
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO unreleased (user_id, key, request_hash) VALUES (?, ?, ?)",
      u.user_id,
      u.key,
      u.request_hash,
    );
  }
}
