// The cron's review work, every minute: windows that ran out are published (publish_reviews, the same place the
// second review publishes from), new completions are asked for their reviews, windows about to close are reminded,
// and trust scores whose inputs changed are computed again. Each step marks what it did in the statement that
// puts its events in the outbox, so overlapping runs neither lose nor repeat an announcement.
import type { Redis } from "@upstash/redis/cloudflare";
import { windowClosesAt } from "../../../lib/review-policy";
import { type Config, loadConfig } from "../../../platform/config";
import { PgHttp } from "../../../platform/pg/http";
import { first, type Runner, rows } from "../../../platform/pg/sql";
import { createRedis } from "../../../platform/redis";
import {
  MARK_REMINDED,
  MARK_REQUESTED,
  PUBLISH_DUE,
  WINDOWS_DUE,
  WINDOWS_TO_REMIND,
  WINDOWS_TO_REQUEST,
  type WindowRow,
} from "../queries/review-windows";
import { announce, sendEvents } from "./announce";
import { publicationEvents, reviewEvent, sidesLeft } from "./events";
import { refreshReputation } from "./reputation";

const BATCH = 200;
/** Reputation batches per run: with 500 providers each, a run scores up to 5 000 (a new deployment's backlog). */
const REPUTATION_BATCHES = 10;

const windowS = (cfg: Config) => cfg.REVIEW_WINDOW_DAYS * 86_400;
const closesAt = (cfg: Config, w: WindowRow) => windowClosesAt(w.completed_at, cfg.REVIEW_WINDOW_DAYS);

export interface SweepDeps {
  db: Runner;
  redis: Redis;
}

const deps = (env: Env): SweepDeps => {
  const cfg = loadConfig(env);
  return { db: new PgHttp(cfg), redis: createRedis(cfg) };
};

/** Windows that ran out: whatever was written is published, and the windows close. */
export async function publishDue(env: Env, { db, redis }: SweepDeps = deps(env)): Promise<number> {
  const cfg = loadConfig(env);
  const due = await rows(db, WINDOWS_DUE, { window_s: windowS(cfg), limit: BATCH });
  if (due.length === 0) return 0;
  const events = due.flatMap((w) => publicationEvents(w, w.reviewed, closesAt(cfg, w)));
  const out = await first(db, PUBLISH_DUE, {
    booking_ids: due.map((w) => w.booking_id),
    window_s: windowS(cfg),
    events: JSON.stringify(events),
    prior_weight: cfg.ratingPrior.weight,
    prior_mean: cfg.ratingPrior.mean,
  });
  if (out) await announce(env, db, redis, out.result);
  return out?.result.events.length ?? 0;
}

/** review.requested to both parties of each new completion (or to the one still to write, if one was quick). */
export async function requestReviews(env: Env, { db }: SweepDeps = deps(env)): Promise<number> {
  const cfg = loadConfig(env);
  const found = await rows(db, WINDOWS_TO_REQUEST, { window_s: windowS(cfg), limit: BATCH });
  if (found.length === 0) return 0;
  const events = found
    .filter((w) => sidesLeft(w.reviewed).length > 0)
    .map((w) => reviewEvent("review.requested", w, sidesLeft(w.reviewed), closesAt(cfg, w)));
  const outbox = await rows(db, MARK_REQUESTED, {
    booking_ids: found.map((w) => w.booking_id),
    events: JSON.stringify(events),
  });
  await sendEvents(env.BOOKING_EVENTS, db, outbox);
  return outbox.length;
}

/** review.reminder, REVIEW_REMINDER_BEFORE_H before the window closes, to whoever has not written yet. */
export async function remindReviews(env: Env, { db }: SweepDeps = deps(env)): Promise<number> {
  const cfg = loadConfig(env);
  const found = await rows(db, WINDOWS_TO_REMIND, {
    window_s: windowS(cfg),
    remind_s: cfg.REVIEW_REMINDER_BEFORE_H * 3_600,
    limit: BATCH,
  });
  if (found.length === 0) return 0;
  const events = found
    .filter((w) => sidesLeft(w.reviewed).length > 0)
    .map((w) => reviewEvent("review.reminder", w, sidesLeft(w.reviewed), closesAt(cfg, w)));
  const outbox = await rows(db, MARK_REMINDED, {
    booking_ids: found.map((w) => w.booking_id),
    events: JSON.stringify(events),
  });
  await sendEvents(env.BOOKING_EVENTS, db, outbox);
  return outbox.length;
}

/** Trust scores whose inputs changed (or that are a day old), a few batches per run. */
export async function refreshScores(env: Env, { db, redis }: SweepDeps = deps(env)): Promise<number> {
  let total = 0;
  for (let i = 0; i < REPUTATION_BATCHES; i++) {
    const { refreshed } = await refreshReputation(env, db, redis);
    total += refreshed;
    if (refreshed === 0) break;
  }
  return total;
}
