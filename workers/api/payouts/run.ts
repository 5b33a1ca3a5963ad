// A payout run: claim the run (a scheduled one at most once per interval), then ask each provider's object to pay
// out, a few at a time. The objects decide (minimum, netting, approval, one open payout each); this only fans out.

import { providerBookings } from "../../../durable-objects/provider-bookings/client";
import type { PayoutRow } from "../../../durable-objects/provider-bookings/payout-sql";
import { loadConfig } from "../../../platform/config";
import { first, type Runner, rows } from "../../../platform/pg/sql";
import { CLAIM_RUN, PROVIDERS_WITH_EARNINGS } from "../queries/payouts";

const PARALLEL = 16;

export async function runPayouts(
  env: Env,
  db: Runner,
  opts: { kind: "scheduled" | "manual"; adminId: number | null; providerId: number | null },
) {
  const cfg = loadConfig(env);
  const run = await first(db, CLAIM_RUN, {
    kind: opts.kind,
    interval_h: cfg.PAYOUT_INTERVAL_H,
    admin_id: opts.adminId,
  });
  if (!run) return undefined;
  const due = await rows(db, PROVIDERS_WITH_EARNINGS, { provider_id: opts.providerId });
  const started: PayoutRow[] = [];
  const skipped: Record<string, number> = {};
  for (let i = 0; i < due.length; i += PARALLEL) {
    const slice = due.slice(i, i + PARALLEL);
    const outs = await Promise.all(
      slice.map((p) =>
        providerBookings(env, p.provider_id).payouts(p.provider_id, {
          kind: "start",
          runId: run.id,
          approvedBy: opts.adminId,
        }),
      ),
    );
    for (const o of outs) {
      if (o.ok) started.push(o.payout);
      else skipped[o.reason] = (skipped[o.reason] ?? 0) + 1;
    }
  }
  return { run_id: run.id, items: started, skipped };
}
