// After a review statement commits: its outbox events go to the queue (at least once: a failed send stays in the
// outbox for the cron's outbox sweep, which relays through the provider's object; the notifications worker's
// delivery log makes repeats notify once), and the providers it re-rated get their trust score and search cache
// refreshed. Nothing here can undo what committed: failures are logged, and the cron catches up.
import type { Redis } from "@upstash/redis/cloudflare";
import { type LogLevel, logLine } from "../../../lib/log";
import { loadConfig } from "../../../platform/config";
import { type Runner, run } from "../../../platform/pg/sql";
import { MARK_OUTBOX_FAILED, MARK_OUTBOX_PUBLISHED } from "../queries/review-windows";
import type { Published } from "../queries/reviews";
import { refreshReputation } from "./reputation";

export interface OutboxEvent {
  id: number;
  payload: unknown;
}

/** Sends outbox rows to booking-events and marks them published; a failed send leaves them for the sweep. */
export async function sendEvents(queue: Queue, db: Runner, events: OutboxEvent[]): Promise<boolean> {
  if (events.length === 0) return true;
  const ids = events.map((e) => e.id);
  try {
    await queue.sendBatch(events.map((e) => ({ body: e.payload, contentType: "json" as const })));
  } catch (err) {
    await run(db, MARK_OUTBOX_FAILED, { ids, error: err instanceof Error ? err.message.slice(0, 200) : "send failed" });
    return false;
  }
  await run(db, MARK_OUTBOX_PUBLISHED, { ids });
  return true;
}

/** Everything a publication leaves to do once it has committed. */
export async function announce(env: Env, db: Runner, redis: Redis, published: Published): Promise<void> {
  const level = (loadConfig(env).LOG_LEVEL as LogLevel | undefined) ?? "info";
  try {
    await sendEvents(env.BOOKING_EVENTS, db, published.events);
  } catch (err) {
    await logLine(level, "warn", { msg: "review events not sent", error: err instanceof Error ? err.name : "unknown" });
  }
  if (published.providers.length === 0) return;
  try {
    // The rating changed with the publication: their cached searches go stale whether or not the score moved.
    await refreshReputation(env, db, redis, { ids: published.providers, invalidate: "all" });
  } catch (err) {
    // The providers stay marked dirty: the cron's refresh computes them within a minute.
    await logLine(level, "warn", {
      msg: "reputation refresh deferred",
      error: err instanceof Error ? err.name : "unknown",
    });
  }
}
