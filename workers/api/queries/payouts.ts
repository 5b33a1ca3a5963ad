// The gateway's money reads and the writes that move no money: earnings and statements (derived from the journal),
// payout accounts, payout runs, disputes. Payouts themselves are written only by the provider's object.
import { z } from "zod";
import { PayoutRow } from "../../../durable-objects/provider-bookings/payout-sql";
import { PayoutMethod } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const int = z.number().int();

export const Balances = z.object({
  available: bigintNumber,
  pending: bigintNumber,
  frozen: bigintNumber,
  owed: bigintNumber,
  in_flight: bigintNumber,
});

export const BALANCES = statement({
  params: { provider_id: int, window_s: int },
  row: Balances,
  text: "SELECT * FROM provider_balances(:provider_id, :window_s)",
});

/** A provider's journal lines on their own accounts, newest first, with the booking or payout each belongs to. */
export const EARNING_LINES = statement({
  params: { provider_id: int, window_s: int, limit: int },
  row: z.object({
    entry_id: bigintNumber,
    kind: z.string(),
    account: z.string(),
    amount_poisha: bigintNumber,
    booking_id: bigintNumber.nullable(),
    payout_id: bigintNumber.nullable(),
    created_at: timestamp,
    available_at: timestamp.nullable(),
    disputed: z.boolean(),
  }),
  text: `
  SELECT e.id AS entry_id, e.kind, l.account, l.amount_poisha, l.booking_id, l.payout_id, e.created_at,
         b.ended_at + make_interval(secs => :window_s) AS available_at,
         EXISTS (SELECT 1 FROM disputes d WHERE d.booking_id = l.booking_id AND d.status = 'open') AS disputed
    FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
    LEFT JOIN bookings b ON b.id = l.booking_id
   WHERE l.provider_id = :provider_id AND l.account IN ('provider_payable', 'provider_cash_owed')
   ORDER BY l.id DESC LIMIT :limit`,
});

export const PROVIDER_OF_USER = statement({
  params: { user_id: int },
  row: z.object({ id: bigintNumber }),
  text: "SELECT id FROM providers WHERE user_id = :user_id",
});

export const PayoutAccountRow = z.object({
  provider_id: bigintNumber,
  method: PayoutMethod,
  msisdn: z.string().nullable(),
  bank_name: z.string().nullable(),
  branch_routing: z.string().nullable(),
  account_number: z.string().nullable(),
  account_name: z.string().nullable(),
  verified_at: timestamp.nullable(),
  updated_at: timestamp,
});

/** Sets the account; a changed destination must be verified again (unchanged details keep their verification). */
export const UPSERT_PAYOUT_ACCOUNT = statement({
  params: {
    provider_id: int,
    method: PayoutMethod,
    msisdn: z.string().nullable(),
    bank_name: z.string().nullable(),
    branch_routing: z.string().nullable(),
    account_number: z.string().nullable(),
    account_name: z.string().nullable(),
    auto_verify: z.boolean(),
  },
  row: PayoutAccountRow,
  text: `
  INSERT INTO payout_accounts AS a (provider_id, method, msisdn, bank_name, branch_routing, account_number, account_name,
                                    verified_at)
  VALUES (:provider_id, :method, :msisdn, :bank_name, :branch_routing, :account_number, :account_name,
          CASE WHEN :auto_verify THEN now() END)
  ON CONFLICT (provider_id) DO UPDATE SET
    method = excluded.method, msisdn = excluded.msisdn, bank_name = excluded.bank_name,
    branch_routing = excluded.branch_routing, account_number = excluded.account_number,
    account_name = excluded.account_name,
    verified_at = CASE
      WHEN (a.method, a.msisdn, a.branch_routing, a.account_number) IS NOT DISTINCT FROM
           (excluded.method, excluded.msisdn, excluded.branch_routing, excluded.account_number) THEN a.verified_at
      WHEN :auto_verify THEN now() END
  RETURNING *`,
});

export const PAYOUT_ACCOUNT = statement({
  params: { provider_id: int },
  row: PayoutAccountRow,
  text: "SELECT * FROM payout_accounts WHERE provider_id = :provider_id",
});

/** An admin's verification (the name on the wallet or account matches the provider's KYC), audited. */
export const VERIFY_PAYOUT_ACCOUNT = statement({
  params: { provider_id: int, admin_id: int },
  row: PayoutAccountRow,
  text: `
  WITH v AS (
    UPDATE payout_accounts SET verified_at = coalesce(verified_at, now()) WHERE provider_id = :provider_id RETURNING *
  ), audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id)
    SELECT :admin_id, 'payout_account.verify', 'provider', :provider_id::bigint::text FROM v
  )
  SELECT * FROM v`,
});

export const PAYOUTS_OF = statement({
  params: { provider_id: int.nullable(), before_id: int.nullable(), limit: int },
  row: PayoutRow,
  text: `
  SELECT id, provider_id, method, amount_poisha, settled_cash_poisha, status, invoice, gateway_trx, error, attempts,
         created_at, updated_at
    FROM payouts
   WHERE (:provider_id::bigint IS NULL OR provider_id = :provider_id)
     AND (:before_id::bigint IS NULL OR id < :before_id)
   ORDER BY id DESC LIMIT :limit + 1`,
});

export const PAYOUT_OWNER = statement({
  params: { id: int },
  row: z.object({ provider_id: bigintNumber, status: z.string(), method: z.string() }),
  text: "SELECT provider_id, status, method FROM payouts WHERE id = :id",
});

/** Providers who may have something to pay out: any earnings on their payable account (the object decides). */
export const PROVIDERS_WITH_EARNINGS = statement({
  params: { provider_id: int.nullable() },
  row: z.object({ provider_id: bigintNumber }),
  text: `
  SELECT l.provider_id FROM ledger_lines l
   WHERE l.account IN ('provider_payable', 'provider_cash_owed')
     AND (:provider_id::bigint IS NULL OR l.provider_id = :provider_id)
   GROUP BY l.provider_id
  HAVING sum(l.amount_poisha) FILTER (WHERE l.account = 'provider_payable') < 0
   ORDER BY l.provider_id`,
});

/**
 * Claims a payout run: a scheduled one only when none ran within the interval (so concurrent crons start it once);
 * a manual one always, audited.
 */
export const CLAIM_RUN = statement({
  params: { kind: z.enum(["scheduled", "manual"]), interval_h: z.number(), admin_id: int.nullable() },
  row: z.object({ id: bigintNumber }),
  text: `
  WITH run AS (
    INSERT INTO payout_runs (kind, started_by)
    SELECT :kind, :admin_id
     WHERE :kind = 'manual' OR NOT EXISTS (
       SELECT 1 FROM payout_runs WHERE kind = 'scheduled' AND started_at > now() - :interval_h * interval '1 hour')
    RETURNING id
  ), audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id)
    SELECT :admin_id, 'payouts.run', 'payout_run', id::text FROM run WHERE :admin_id::bigint IS NOT NULL
  )
  SELECT id FROM run`,
});

/** Payouts whose answer was lost (or whose object stopped between the row and the call), for the reconciler. */
export const PAYOUTS_TO_RECONCILE = statement({
  params: { after_s: int, limit: int },
  row: z.object({ id: bigintNumber, provider_id: bigintNumber }),
  text: `
  SELECT id, provider_id FROM payouts
   WHERE status IN ('unknown', 'pending') AND method = 'bkash' AND updated_at < now() - make_interval(secs => :after_s)
   ORDER BY updated_at LIMIT :limit`,
});

/** Bank payouts waiting for ops, as a BEFTN batch: routing number, account, name, amount, our reference. */
export const BANK_BATCH = statement({
  params: {},
  row: z.object({
    id: bigintNumber,
    invoice: z.string(),
    amount_poisha: bigintNumber,
    branch_routing: z.string(),
    account_number: z.string(),
    account_name: z.string(),
    bank_name: z.string().nullable(),
  }),
  text: `
  SELECT o.id, o.invoice, o.amount_poisha, a.branch_routing, a.account_number, a.account_name, a.bank_name
    FROM payouts o JOIN payout_accounts a ON a.provider_id = o.provider_id
   WHERE o.method = 'bank' AND o.status = 'pending' AND a.method = 'bank'
   ORDER BY o.id`,
});

export const AUDIT_PAYOUT = statement({
  params: { admin_id: int, payout_id: int, action: z.string() },
  row: z.unknown(),
  text: `
  INSERT INTO admin_audit (admin_id, action, target_type, target_id)
  VALUES (:admin_id, :action, 'payout', :payout_id::bigint::text)`,
});

/** One booking's money, as a receipt shows it: what was paid and refunded, the fee, the commission, the share. */
export const BOOKING_MONEY = statement({
  params: { booking_id: int },
  row: z.object({
    booking_id: bigintNumber,
    customer_id: bigintNumber,
    provider_id: bigintNumber,
    provider_user_id: bigintNumber,
    provider_name: z.string(),
    service_type: z.string(),
    status: z.string(),
    start_date: timestamp,
    end_date: timestamp,
    ended_at: timestamp.nullable(),
    price_poisha: bigintNumber,
    fee_poisha: bigintNumber,
    payment_method: z.string(),
    captured_poisha: bigintNumber,
    refunded_poisha: bigintNumber,
    commission_bps: int.nullable(),
    commission_poisha: bigintNumber,
    provider_share_poisha: bigintNumber,
  }),
  text: `
  SELECT b.id AS booking_id, b.customer_id, b.provider_id, p.user_id AS provider_user_id, p.display_name AS provider_name,
         b.service_type, b.status, b.start_date, b.end_date, b.ended_at, b.price_poisha, b.fee_poisha, b.payment_method,
         coalesce(y.captured_poisha, 0) AS captured_poisha, coalesce(y.refunded_poisha, 0) AS refunded_poisha,
         c.rate_bps AS commission_bps,
         coalesce((SELECT -sum(amount_poisha) FROM ledger_lines
                    WHERE booking_id = b.id AND account = 'platform_revenue'), 0) AS commission_poisha,
         coalesce((SELECT -sum(amount_poisha) FROM ledger_lines
                    WHERE booking_id = b.id AND account = 'provider_payable'), 0) AS provider_share_poisha
    FROM bookings b JOIN providers p ON p.id = b.provider_id
    LEFT JOIN payments y ON y.booking_id = b.id
    LEFT JOIN booking_commissions c ON c.booking_id = b.id
   WHERE b.id = :booking_id`,
});

/** A provider's month (Dhaka): each booking that ended in it with its split, and each payout made in it. */
export const MONTH_BOOKINGS = statement({
  params: { provider_id: int, from: z.string(), to: z.string() },
  row: z.object({
    booking_id: bigintNumber,
    service_type: z.string(),
    status: z.string(),
    payment_method: z.string(),
    ended_at: timestamp,
    gross_poisha: bigintNumber,
    commission_poisha: bigintNumber,
    earnings_poisha: bigintNumber,
    cash_commission_poisha: bigintNumber,
  }),
  text: `
  SELECT b.id AS booking_id, b.service_type, b.status, b.payment_method, b.ended_at,
         CASE WHEN b.payment_method = 'cash' THEN coalesce(y.captured_poisha, 0)
              ELSE coalesce(y.captured_poisha, 0) - coalesce(y.refunded_poisha, 0) END AS gross_poisha,
         coalesce((SELECT -sum(amount_poisha) FROM ledger_lines WHERE booking_id = b.id AND account = 'platform_revenue'), 0)
           AS commission_poisha,
         coalesce((SELECT -sum(amount_poisha) FROM ledger_lines WHERE booking_id = b.id AND account = 'provider_payable'), 0)
           AS earnings_poisha,
         coalesce((SELECT sum(amount_poisha) FROM ledger_lines WHERE booking_id = b.id AND account = 'provider_cash_owed'), 0)
           AS cash_commission_poisha
    FROM bookings b LEFT JOIN payments y ON y.booking_id = b.id
   WHERE b.provider_id = :provider_id AND b.ended_at >= :from::timestamptz AND b.ended_at < :to::timestamptz
     AND EXISTS (SELECT 1 FROM ledger_lines l WHERE l.booking_id = b.id)
   ORDER BY b.ended_at`,
});

export const MONTH_PAYOUTS = statement({
  params: { provider_id: int, from: z.string(), to: z.string() },
  row: PayoutRow,
  text: `
  SELECT id, provider_id, method, amount_poisha, settled_cash_poisha, status, invoice, gateway_trx, error, attempts,
         created_at, updated_at
    FROM payouts
   WHERE provider_id = :provider_id AND created_at >= :from::timestamptz AND created_at < :to::timestamptz
   ORDER BY id`,
});
