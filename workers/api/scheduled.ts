// Cron (every minute): relays outbox events no object relayed, settles payments left in between with the gateway,
// and renews card holds that would lapse before the job. Each sweep wakes the provider's object, which does the
// work under its lock exactly as a request would.

import { pgReader } from "../../durable-objects/pg-reader/client";
import { providerBookings } from "../../durable-objects/provider-bookings/client";
import { PAYMENT_SYSTEM } from "../../durable-objects/provider-bookings/types";
import { type LogLevel, logLine } from "../../lib/log";
import { loadConfig } from "../../platform/config";

const STALE_AFTER_S = 60;
const BATCH = 100;

const log = (env: Env, fields: Record<string, unknown>) =>
  logLine((env.LOG_LEVEL as LogLevel | undefined) ?? "info", "warn", fields);

export async function sweepOutbox(env: Env): Promise<number> {
  const rows = await pgReader(env, "outbox-sweep").read(
    `SELECT DISTINCT partition_key FROM outbox
      WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1) LIMIT 500`,
    [STALE_AFTER_S],
  );
  const providers = rows.map((r) => Number(r.partition_key)).filter(Number.isSafeInteger);
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
  const rows = await pgReader(env, "payment-reconcile").read(
    `SELECT y.booking_id, b.provider_id FROM payments y JOIN bookings b ON b.id = y.booking_id
      WHERE y.status = 'requires_action' AND y.updated_at < now() - make_interval(secs => $1)
      ORDER BY y.updated_at LIMIT ${BATCH}`,
    [cfg.PAYMENT_RECONCILE_AFTER_S],
  );
  const results = await Promise.allSettled(
    rows.map((r) => {
      const providerId = Number(r.provider_id);
      return providerBookings(env, providerId).transition({
        providerId,
        bookingId: Number(r.booking_id),
        action: "confirm",
        actor: PAYMENT_SYSTEM,
        via: "reconcile",
      });
    }),
  );
  // Settled: the gateway gave a final answer (confirmed, failed, returned). Open: still at the wallet, or no answer.
  const open = results.filter(
    (r) =>
      r.status === "rejected" ||
      (r.value.ok && r.value.status === 202) ||
      (!r.value.ok && "code" in r.value && r.value.code === "dependency_unavailable"),
  ).length;
  if (rows.length > 0) await log(env, { msg: "payment reconcile", payments: rows.length, open });
  return { settled: rows.length - open, open };
}

/**
 * Card holds lapse after about 7 days, so a booking confirmed further ahead would reach its job without one. Holds
 * older than CARD_HOLD_RENEW_DAYS on bookings still to come are replaced by a fresh one (the old is released).
 */
export async function renewCardHolds(env: Env): Promise<number> {
  const cfg = loadConfig(env);
  const rows = await pgReader(env, "hold-renewal").read(
    `SELECT y.booking_id, b.provider_id FROM payments y JOIN bookings b ON b.id = y.booking_id
      WHERE y.gateway = 'stripe' AND y.status = 'authorized'
        AND y.authorized_at < now() - make_interval(secs => $1) AND b.status = 'CONFIRMED' AND b.end_date > now()
      ORDER BY y.authorized_at LIMIT ${BATCH}`,
    [Math.round(cfg.CARD_HOLD_RENEW_DAYS * 86_400)],
  );
  const results = await Promise.allSettled(
    rows.map((r) => {
      const providerId = Number(r.provider_id);
      return providerBookings(env, providerId).renewHold(providerId, Number(r.booking_id));
    }),
  );
  const renewed = results.filter((r) => r.status === "fulfilled" && r.value.renewed).length;
  if (rows.length > 0) await log(env, { msg: "card hold renewal", holds: rows.length, renewed });
  return renewed;
}
