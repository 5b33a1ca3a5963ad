// Cron: relays outbox events that no object relayed (a crash between commit and send), by waking their objects.

import { pgReader } from "../../durable-objects/pg-reader/pg-reader";
import { providerBookings } from "../../durable-objects/provider-bookings/client";
import { type LogLevel, logLine } from "../../lib/log";

const STALE_AFTER_S = 60;

export async function sweepOutbox(env: Env): Promise<number> {
  const rows = await pgReader(env, "outbox-sweep").read(
    `SELECT DISTINCT partition_key FROM outbox
      WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1) LIMIT 500`,
    [STALE_AFTER_S],
  );
  const providers = rows.map((r) => Number(r.partition_key)).filter(Number.isSafeInteger);
  await Promise.allSettled(providers.map((id) => providerBookings(env, id).refresh(id)));
  if (providers.length > 0) {
    await logLine((env.LOG_LEVEL as LogLevel | undefined) ?? "info", "warn", {
      msg: "outbox sweep",
      providers: providers.length,
    });
  }
  return providers.length;
}
