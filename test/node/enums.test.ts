// Each list is written once in lib/enums.ts; the migrated database's CHECK constraints must allow exactly its values.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ActiveStatus,
  Actor,
  BookingStatus,
  ChatCaseAction,
  ChatCaseStatus,
  ChatReportKind,
  ConversationCloseReason,
  DeliveryChannel,
  DeliveryStatus,
  DevicePlatform,
  DisputeResolution,
  DisputeStatus,
  JobRequestStatus,
  KycStatus,
  Lang,
  LedgerAccount,
  LedgerGateway,
  LedgerStatus,
  OfferStatus,
  PaymentMethod,
  PayoutMethod,
  PayoutStatus,
  PriceUnit,
  ReviewFlag,
  ReviewSide,
  Role,
  VerificationStatus,
} from "../../lib/enums";

const client = new pg.Client({ connectionString: inject("vars").DATABASE_URL as string });

beforeAll(() => client.connect());
afterAll(() => client.end());

/** The string literals of a constraint definition: `= ANY (ARRAY['a'::text, 'b'::text])` gives ["a", "b"]. */
function literals(definition: string): string[] {
  return [...definition.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? "").replaceAll("''", "'"));
}

/** The values the one list-CHECK on `table.column` allows, as Postgres itself prints the constraint. */
async function allowed(table: string, column: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'c' AND c.conrelid = $1::regclass AND a.attname = $2 AND cardinality(c.conkey) = 1`,
    [table, column],
  );
  const lists = rows.filter((r) => /= ANY \(ARRAY\[|\bIN \(/.test(r.def));
  expect(
    lists.map((r) => r.name),
    `one list CHECK on ${table}.${column}`,
  ).toHaveLength(1);
  return literals(lists[0]?.def ?? "").sort();
}

type Case = { table: string; column: string; name: string; values: string[] };
const column = (table: string, col: string, name: string, e: { options: readonly string[] }): Case => ({
  table,
  column: col,
  name,
  values: [...e.options],
});

const cases: Case[] = [
  column("users", "role", "Role", Role),
  column("users", "lang", "Lang", Lang),
  column("providers", "verification_status", "VerificationStatus", VerificationStatus),
  column("kyc_submissions", "status", "KycStatus", KycStatus),
  column("provider_services", "unit", "PriceUnit", PriceUnit),
  column("bookings", "unit", "PriceUnit", PriceUnit),
  column("bookings", "status", "BookingStatus", BookingStatus),
  column("bookings", "payment_method", "PaymentMethod", PaymentMethod),
  column("bookings", "canceled_by", "Actor", Actor),
  column("payments", "gateway", "LedgerGateway", LedgerGateway),
  column("payments", "status", "LedgerStatus", LedgerStatus),
  column("user_devices", "platform", "DevicePlatform", DevicePlatform),
  column("auth_sessions", "platform", "DevicePlatform", DevicePlatform),
  column("notification_deliveries", "channel", "DeliveryChannel", DeliveryChannel),
  column("notification_deliveries", "status", "DeliveryStatus", DeliveryStatus),
  column("reviews", "author_role", "ReviewSide", ReviewSide),
  column("conversations", "closed_reason", "ConversationCloseReason", ConversationCloseReason),
  column("chat_cases", "status", "ChatCaseStatus", ChatCaseStatus),
  column("chat_cases", "resolution", "ChatCaseAction", ChatCaseAction),
  column("chat_reports", "kind", "ChatReportKind", ChatReportKind),
  column("payouts", "status", "PayoutStatus", PayoutStatus),
  column("payouts", "method", "PayoutMethod", PayoutMethod),
  column("payout_accounts", "method", "PayoutMethod", PayoutMethod),
  column("ledger_lines", "account", "LedgerAccount", LedgerAccount),
  column("disputes", "status", "DisputeStatus", DisputeStatus),
  column("disputes", "resolution", "DisputeResolution", DisputeResolution),
  column("job_requests", "status", "JobRequestStatus", JobRequestStatus),
  column("job_requests", "payment_method", "PaymentMethod", PaymentMethod),
  column("job_offers", "status", "OfferStatus", OfferStatus),
  column("job_offers", "unit", "PriceUnit", PriceUnit),
  // Cash has no gateway to call back: webhooks come from every other ledger gateway.
  column("webhook_events", "provider", "LedgerGateway without cash", LedgerGateway.exclude(["cash"])),
];

describe("lib/enums.ts and the database", () => {
  it.each(cases)("$table.$column allows exactly the values of $name", async ({ table, column, values }) => {
    expect(await allowed(table, column)).toEqual([...values].sort());
  });

  it("guards exactly the active statuses against overlap (bookings_no_overlap covers ActiveStatus)", async () => {
    const { rows } = await client.query<{ def: string }>(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'bookings_no_overlap'",
    );
    expect(rows).toHaveLength(1);
    const where = rows[0]?.def.split(" WHERE ")[1] ?? "";
    expect(where).toMatch(/^\(\(status = ANY \(ARRAY\[/);
    expect(literals(where).sort()).toEqual([...ActiveStatus.options].sort());
  });

  it("allows exactly the flags of ReviewFlag in reviews.flags (an array: a containment CHECK)", async () => {
    const { rows } = await client.query<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'c' AND c.conrelid = 'reviews'::regclass AND a.attname = 'flags'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.def).toMatch(/flags <@ ARRAY\[/);
    expect(literals(rows[0]?.def ?? "").sort()).toEqual([...ReviewFlag.options].sort());
  });

  it("reads a list from the way Postgres prints IN (...), quotes included", () => {
    expect(literals("CHECK ((x = ANY (ARRAY['a'::text, 'it''s'::text, 'c d'::text])))")).toEqual(["a", "it's", "c d"]);
  });
});
