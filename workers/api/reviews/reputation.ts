// Recomputes trust scores: reads each provider's inputs in one statement, scores them with lib/reputation.ts (the
// one formula), writes the scores back in one statement (search listings follow by trigger), and invalidates the
// cached searches that could show a provider whose score or rating moved, so search reflects it at once (and in any
// case within the cache's 60 s).
import type { Redis } from "@upstash/redis/cloudflare";
import { type ReputationInputs, trustScore } from "../../../lib/reputation";
import { loadConfig } from "../../../platform/config";
import { type Runner, rows } from "../../../platform/pg/sql";
import { invalidateAround } from "../../../platform/search-cache";
import { REPUTATION_DUE, REPUTATION_INPUTS, type ReputationInputsRow, SAVE_REPUTATION } from "../queries/reputation";

/** A score older than this is computed again even with nothing marked: tenure grows by the day. */
export const REPUTATION_MAX_AGE_S = 86_400;

/** The inputs as lib/reputation.ts reads them. */
export function inputsOf(r: ReputationInputsRow): ReputationInputs {
  return {
    verified: r.verified,
    tenure_days: r.tenure_days,
    rating: r.rating,
    rating_count: r.rating_count,
    completed_jobs: r.completed_jobs,
    requests: r.requests,
    accepted: r.accepted,
    responses: r.responses,
    response_median_s: r.response_median_s,
    late_cancels: r.late_cancels,
    no_shows: r.no_shows,
    contact_violations: r.contact_violations,
  };
}

export interface RefreshOptions {
  /** These providers (after a publication, a hide, a provider's own look); otherwise the dirty and the stale. */
  ids?: number[];
  limit?: number;
  /** Which providers' cached searches to drop: those whose score moved (default), or every one refreshed. */
  invalidate?: "changed" | "all";
}

/** One batch. Answers how many providers were scored and which scores moved. */
export async function refreshReputation(
  env: Env,
  db: Runner,
  redis: Redis,
  opts: RefreshOptions = {},
): Promise<{ refreshed: number; changed: number[] }> {
  const cfg = loadConfig(env);
  const limit = opts.limit ?? 500;
  const ids = opts.ids
    ? [...new Set(opts.ids)]
    : (await rows(db, REPUTATION_DUE, { older_s: REPUTATION_MAX_AGE_S, limit })).map((d) => d.provider_id);
  if (ids.length === 0) return { refreshed: 0, changed: [] };
  const found = await rows(db, REPUTATION_INPUTS, { ids, free_cancel_s: cfg.FREE_CANCEL_HOURS * 3_600 });
  const readAt = found[0]?.read_at;
  if (readAt === undefined) return { refreshed: 0, changed: [] };
  const scored = found.map((r) => {
    const inputs = inputsOf(r);
    return {
      provider_id: r.provider_id,
      seq: r.dirty_seq,
      inputs,
      trust_score: trustScore(inputs).score,
    };
  });
  const saved = await rows(db, SAVE_REPUTATION, { rows: JSON.stringify(scored), read_at: readAt });
  const changed = saved.filter((s) => s.changed).map((s) => s.provider_id);
  const drop = opts.invalidate === "all" ? found.map((r) => r.provider_id) : changed;
  if (drop.length > 0) {
    const at = found.filter((r) => drop.includes(r.provider_id)).map((r) => ({ lat: r.lat, lng: r.lng }));
    // Best effort: a Redis blip leaves entries that expire within a minute anyway.
    await invalidateAround(redis, at, ["profile"]).catch(() => {});
  }
  return { refreshed: found.length, changed };
}
