// Cron (every minute): relays outbox events no object relayed, settles payments left in between with the gateway,
// and renews card holds that would lapse before the job. Each of those wakes the provider's object, which does the
// work under its lock exactly as a request would. The review sweeps (workers/api/reviews/sweep.ts) publish windows
// that ran out, ask for and remind of reviews, and recompute trust scores whose inputs changed.
// renews card holds that would lapse before the job, and wakes job requests whose search fell behind. Each sweep wakes the provider's object, which does the
// work under its lock exactly as a request would.

import { jobRequest } from "../../durable-objects/job-request/client";
import { pgReader } from "../../durable-objects/pg-reader/client";
import { PAYMENT_SYSTEM, providerBookings } from "../../durable-objects/provider-bookings/client";
import { type LogLevel, logLine } from "../../lib/log";
import { loadConfig } from "../../platform/config";
import { rows } from "../../platform/pg/sql";
import { runPayouts } from "./payouts/run";
import { STALE_OUTBOX_PARTITIONS } from "./queries/booking";
import { STALLED_REQUESTS } from "./queries/matching";
import { HOLDS_TO_RENEW, PAYMENTS_TO_RECONCILE } from "./queries/payments";
import { PAYOUTS_TO_RECONCILE } from "./queries/payouts";
import { publishDue, refreshScores, remindReviews, requestReviews } from "./reviews/sweep";

const STALE_AFTER_S = 60;
const BATCH = 100;

const log = (env: Env, fields: Record<string, unknown>) =>
  logLine((env.LOG_LEVEL as LogLevel | undefined) ?? "info", "warn", fields);

export async function sweepOutbox(env: Env): Promise<number> {
  const stale = await rows(pgReader(env, "outbox-sweep"), STALE_OUTBOX_PARTITIONS, { stale_s: STALE_AFTER_S });
  const providers = stale.map((r) => Number(r.partition_key)).filter(Number.isSafeInteger);
  await Promise.allSettled(providers.map((id) => providerBookings(env, id).refresh(id)));
  if (providers.length > 0) await log(env, { msg: "outbox sweep", providers: providers.length });
  return providers.length;
}

/**
 * Payments still in between after PAYMENT_RECONCILE_AFTER_S: a wallet approval whose callback never came, a hold
 * whose answer timed out. The object asks the gateway (never the client) and confirms, fails or gives the money
 * back; an approval left open past PAYMENT_ACTION_TTL_MIN is closed as abandoned.
 */
export async function reconcilePayments(env: Env): Promise<{ settled: number; open: number }> {
  const cfg = loadConfig(env);
  const due = await rows(pgReader(env, "payment-reconcile"), PAYMENTS_TO_RECONCILE, {
    after_s: cfg.PAYMENT_RECONCILE_AFTER_S,
    limit: BATCH,
  });
  const results = await Promise.allSettled(
    due.map((r) =>
      providerBookings(env, r.provider_id).transition({
        providerId: r.provider_id,
        bookingId: r.booking_id,
        action: "confirm",
        actor: PAYMENT_SYSTEM,
        via: "reconcile",
      }),
    ),
  );
  // Settled: the gateway gave a final answer (confirmed, failed, returned). Open: still at the wallet, or no answer.
  const open = results.filter(
    (r) =>
      r.status === "rejected" ||
      (r.value.ok && r.value.status === 202) ||
      (!r.value.ok && "code" in r.value && r.value.code === "dependency_unavailable"),
  ).length;
  if (due.length > 0) await log(env, { msg: "payment reconcile", payments: due.length, open });
  return { settled: due.length - open, open };
}

/**
 * Card holds lapse after about 7 days, so a booking confirmed further ahead would reach its job without one. Holds
 * older than CARD_HOLD_RENEW_DAYS on bookings still to come are replaced by a fresh one (the old is released).
 */
export async function renewCardHolds(env: Env): Promise<number> {
  const cfg = loadConfig(env);
  const holds = await rows(pgReader(env, "hold-renewal"), HOLDS_TO_RENEW, {
    older_s: Math.round(cfg.CARD_HOLD_RENEW_DAYS * 86_400),
    limit: BATCH,
  });
  const results = await Promise.allSettled(
    holds.map((r) => providerBookings(env, r.provider_id).renewHold(r.provider_id, r.booking_id)),
  );
  const renewed = results.filter((r) => r.status === "fulfilled" && r.value.renewed).length;
  if (holds.length > 0) await log(env, { msg: "card hold renewal", holds: holds.length, renewed });
  return renewed;
}

/**
 * Review windows: those that ran out are published (the timer's half of "published in one place": publish_reviews,
 * as the second review is), new completions are asked for reviews, and windows about to close are reminded. In that
 * order: a window that closed is not reminded.
 */
export async function sweepReviews(env: Env): Promise<{ published: number; requested: number; reminded: number }> {
  const published = await publishDue(env);
  const [requested, reminded] = await Promise.all([requestReviews(env), remindReviews(env)]);
  if (published + requested + reminded > 0) await log(env, { msg: "review sweep", published, requested, reminded });
  return { published, requested, reminded };
}

/** Trust scores whose inputs changed (a booking step, a publication, a hide, KYC) or that are a day old. */
export async function refreshReputation(env: Env): Promise<number> {
  return refreshScores(env);
}

/** The weekly payout run, when one is due (claimed in Postgres, so concurrent crons start it once). */
export async function scheduledPayouts(env: Env): Promise<number> {
  const out = await runPayouts(env, pgReader(env, "payout-run"), {
    kind: "scheduled",
    adminId: null,
    providerId: null,
  });
  if (out) await log(env, { msg: "payout run", run_id: out.run_id, started: out.items.length, skipped: out.skipped });
  return out?.items.length ?? 0;
}

/** Payouts whose gateway answer was lost: each provider's object asks bKash by invoice. */
export async function reconcilePayouts(env: Env): Promise<number> {
  const cfg = loadConfig(env);
  const due = await rows(pgReader(env, "payout-reconcile"), PAYOUTS_TO_RECONCILE, {
    after_s: cfg.PAYOUT_RECONCILE_AFTER_S,
    limit: BATCH,
  });
  const results = await Promise.allSettled(
    due.map((p) => providerBookings(env, p.provider_id).payouts(p.provider_id, { kind: "reconcile", payoutId: p.id })),
  );
  const settled = results.filter(
    (r) => r.status === "fulfilled" && r.value.ok && r.value.payout.status !== "unknown",
  ).length;
  if (due.length > 0) await log(env, { msg: "payout reconcile", payouts: due.length, settled });
  return settled;
}

/**
 * A request's alarm drives its waves; this is the safety net for one whose object lost its alarm (a start that
 * never reached it, an eviction mid-step): searches 30 s past their wave's end are woken, and their object does the
 * step under its lock exactly as its alarm would.
 */
export async function sweepStalledRequests(env: Env): Promise<number> {
  const stalled = await rows(pgReader(env, "match-sweep"), STALLED_REQUESTS, { stale_s: 30 });
  await Promise.allSettled(stalled.map((r) => jobRequest(env, r.id).start({ requestId: r.id })));
  if (stalled.length > 0) await log(env, { msg: "stalled searches woken", requests: stalled.length });
  return stalled.length;
}
