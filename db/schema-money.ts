// The earnings and payouts tables (migration 0018). The journal is written by triggers only; payouts by the
// provider's object.
import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";
import { DisputeResolution, DisputeStatus, LedgerAccount, PayoutMethod, PayoutStatus } from "../lib/enums";
import { createdAt, ts, updatedAt, values } from "./columns";
import { bookings, providers, services, users } from "./schema";

export const serviceCommissions = pgTable("service_commissions", {
  serviceType: text("service_type")
    .primaryKey()
    .references(() => services.serviceType),
  rateBps: integer("rate_bps").notNull(),
});

export const bookingCommissions = pgTable("booking_commissions", {
  bookingId: bigint("booking_id", { mode: "number" })
    .primaryKey()
    .references(() => bookings.id),
  rateBps: integer("rate_bps").notNull(),
});

export const payoutAccounts = pgTable("payout_accounts", {
  providerId: bigint("provider_id", { mode: "number" })
    .primaryKey()
    .references(() => providers.id),
  method: text("method", { enum: values(PayoutMethod) }).notNull(),
  msisdn: text("msisdn"),
  bankName: text("bank_name"),
  branchRouting: text("branch_routing"),
  accountNumber: text("account_number"),
  accountName: text("account_name"),
  verifiedAt: ts("verified_at"),
  updatedAt: updatedAt(),
});

export const payouts = pgTable("payouts", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  providerId: bigint("provider_id", { mode: "number" })
    .notNull()
    .references(() => providers.id),
  method: text("method", { enum: values(PayoutMethod) }).notNull(),
  amountPoisha: bigint("amount_poisha", { mode: "number" }).notNull(),
  settledCashPoisha: bigint("settled_cash_poisha", { mode: "number" }).notNull().default(0),
  status: text("status", { enum: values(PayoutStatus) }).notNull(),
  invoice: text("invoice").notNull().unique(),
  gatewayTrx: text("gateway_trx"),
  error: text("error"),
  runId: bigint("run_id", { mode: "number" }),
  approvedBy: bigint("approved_by", { mode: "number" }).references(() => users.id),
  attempts: integer("attempts").notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const payoutRuns = pgTable("payout_runs", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text("kind", { enum: ["scheduled", "manual"] }).notNull(),
  startedBy: bigint("started_by", { mode: "number" }).references(() => users.id),
  startedAt: ts("started_at").notNull().defaultNow(),
});

export const disputes = pgTable("disputes", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  bookingId: bigint("booking_id", { mode: "number" })
    .notNull()
    .unique()
    .references(() => bookings.id),
  openedBy: bigint("opened_by", { mode: "number" })
    .notNull()
    .references(() => users.id),
  reason: text("reason").notNull(),
  status: text("status", { enum: values(DisputeStatus) })
    .notNull()
    .default("open"),
  resolution: text("resolution", { enum: values(DisputeResolution) }),
  refundPoisha: bigint("refund_poisha", { mode: "number" }),
  resolvedBy: bigint("resolved_by", { mode: "number" }).references(() => users.id),
  resolvedAt: ts("resolved_at"),
  refundActor: bigint("refund_actor", { mode: "number" }).references(() => users.id),
  createdAt: createdAt(),
});

export const ledgerEntries = pgTable("ledger_entries", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text("kind").notNull(),
  bookingId: bigint("booking_id", { mode: "number" }).references(() => bookings.id),
  payoutId: bigint("payout_id", { mode: "number" }).references(() => payouts.id),
  providerId: bigint("provider_id", { mode: "number" }).references(() => providers.id),
  createdAt: createdAt(),
});

export const ledgerLines = pgTable("ledger_lines", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  entryId: bigint("entry_id", { mode: "number" })
    .notNull()
    .references(() => ledgerEntries.id),
  account: text("account", { enum: values(LedgerAccount) }).notNull(),
  gateway: text("gateway"),
  providerId: bigint("provider_id", { mode: "number" }).references(() => providers.id),
  bookingId: bigint("booking_id", { mode: "number" }).references(() => bookings.id),
  payoutId: bigint("payout_id", { mode: "number" }).references(() => payouts.id),
  amountPoisha: bigint("amount_poisha", { mode: "number" }).notNull(),
});
