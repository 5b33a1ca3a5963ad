// The provider's payouts, as the provider's object writes them: the object is the one writer of what we owe a
// provider (its bookings' earnings and its payouts), so a payout never races a refund or another payout. The journal
// follows each change by trigger (migration 0018).
import { z } from "zod";
import { PayoutMethod, PayoutStatus } from "../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../platform/pg/sql";

const int = z.number().int();

export const PayoutRow = z.object({
  id: bigintNumber,
  provider_id: bigintNumber,
  method: PayoutMethod,
  amount_poisha: bigintNumber,
  settled_cash_poisha: bigintNumber,
  status: PayoutStatus,
  invoice: z.string(),
  gateway_trx: z.string().nullable(),
  error: z.string().nullable(),
  attempts: int,
  created_at: timestamp,
  updated_at: timestamp,
});
export type PayoutRow = z.infer<typeof PayoutRow>;

const COLUMNS = `id, provider_id, method, amount_poisha, settled_cash_poisha, status, invoice, gateway_trx, error,
  attempts, created_at, updated_at`;

/**
 * Starts a payout of everything available, in one statement: cash commission owed is netted first (a settlement),
 * the rest is paid if it reaches the minimum. Above the approval threshold it waits for an admin (unless one
 * approved this run). The invoice is stored before any gateway call. Answers why nothing started, too.
 */
export const START_PAYOUT = statement({
  params: {
    provider_id: int,
    window_s: int,
    min: int,
    approval_above: int,
    invoice: z.string(),
    run_id: int.nullable(),
    approved_by: int.nullable(),
  },
  row: z.object({
    payout: PayoutRow.nullable(),
    msisdn: z.string().nullable(),
    has_account: z.boolean(),
    verified: z.boolean(),
    open_payout: z.boolean(),
    available: bigintNumber,
    owed: bigintNumber,
  }),
  text: `
  WITH acct AS (
    SELECT method, msisdn, verified_at FROM payout_accounts WHERE provider_id = :provider_id
  ), bal AS (
    SELECT available, owed FROM provider_balances(:provider_id, :window_s)
  ), plan AS (
    SELECT settle, CASE WHEN rest >= greatest(:min, 1) THEN rest ELSE 0 END AS amount FROM (
      SELECT least(greatest(available, 0), owed) AS settle,
             greatest(available, 0) - least(greatest(available, 0), owed) AS rest
        FROM bal) x
  ), ins AS (
    INSERT INTO payouts (provider_id, method, amount_poisha, settled_cash_poisha, status, invoice, run_id, approved_by)
    SELECT :provider_id, acct.method, plan.amount, plan.settle,
           CASE WHEN plan.amount = 0 THEN 'netted'
                WHEN plan.amount > :approval_above AND :approved_by::bigint IS NULL THEN 'requires_approval'
                ELSE 'pending' END,
           :invoice, :run_id, :approved_by
      FROM plan, acct
     WHERE acct.verified_at IS NOT NULL AND (plan.amount > 0 OR plan.settle > 0)
    ON CONFLICT DO NOTHING
    RETURNING ${COLUMNS}
  )
  SELECT (SELECT to_jsonb(ins) FROM ins) AS payout,
         (SELECT msisdn FROM acct) AS msisdn,
         EXISTS (SELECT 1 FROM acct) AS has_account,
         EXISTS (SELECT 1 FROM acct WHERE verified_at IS NOT NULL) AS verified,
         EXISTS (SELECT 1 FROM payouts o WHERE o.provider_id = :provider_id
                   AND o.status IN ('requires_approval', 'pending', 'unknown')) AS open_payout,
         (SELECT available FROM bal) AS available, (SELECT owed FROM bal) AS owed`,
});

/** Records what the gateway said; only an open payout moves, so a late answer never undoes a newer one. */
export const FINISH_PAYOUT = statement({
  params: {
    id: int,
    status: PayoutStatus,
    trx: z.string().nullable(),
    error: z.string().nullable(),
    from: z.array(PayoutStatus),
  },
  row: PayoutRow,
  text: `
  UPDATE payouts SET status = :status, gateway_trx = coalesce(:trx, gateway_trx), error = :error,
                     attempts = attempts + 1
   WHERE id = :id AND status = ANY(:from::text[])
  RETURNING ${COLUMNS}`,
});

/** An admin releases a payout held for approval. */
export const APPROVE_PAYOUT = statement({
  params: { id: int, provider_id: int, admin_id: int },
  row: PayoutRow.extend({ msisdn: z.string().nullable() }),
  text: `
  UPDATE payouts o SET status = 'pending', approved_by = :admin_id
   WHERE o.id = :id AND o.provider_id = :provider_id AND o.status = 'requires_approval'
  RETURNING ${COLUMNS.replace(/(\w+)/g, "o.$1")},
            (SELECT msisdn FROM payout_accounts a WHERE a.provider_id = o.provider_id) AS msisdn`,
});

export const PAYOUT_BY_ID = statement({
  params: { id: int, provider_id: int },
  row: PayoutRow.extend({ msisdn: z.string().nullable() }),
  text: `
  SELECT ${COLUMNS.replace(/(\w+)/g, "o.$1")}, a.msisdn
    FROM payouts o LEFT JOIN payout_accounts a ON a.provider_id = o.provider_id
   WHERE o.id = :id AND o.provider_id = :provider_id`,
});

/** What a provider owes in cash commission: past the limit they take no new cash bookings. */
export const CASH_OWED = statement({
  params: { provider_id: int },
  row: z.object({ owed: bigintNumber }),
  text: `
  SELECT coalesce(sum(amount_poisha), 0) AS owed FROM ledger_lines
   WHERE provider_id = :provider_id AND account = 'provider_cash_owed'`,
});
