// What `error.details` may hold: a closed union discriminated by `kind`, so a client can switch on it instead of
// casting. Validation issues carry both languages here; the gateway renders the caller's.
import type { WalletOutcome } from "./enums";
import type { Message } from "./i18n";

/** One field that failed: its dotted path, a stable code, and a message in both languages. */
export interface Issue {
  path: string;
  code: IssueCode;
  message: Message;
}

export const ISSUE_CODES = [
  "invalid_type",
  "too_small",
  "too_big",
  "invalid_format",
  "invalid_value",
  "unrecognized_keys",
  "not_multiple_of",
  "invalid_union",
  "custom",
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** Named limits a refusal can quote (all numbers are the configured values). */
export const LIMIT_NAMES = [
  "min_notice_minutes",
  "horizon_days",
  "pending_per_customer",
  "pending_per_provider_day",
  "message_chars",
  "messages_per_minute",
  "cash_debt_poisha",
  "open_requests_per_customer",
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export type ErrorDetails =
  | { kind: "validation"; issues: Issue[] }
  | { kind: "state"; status: string; payment?: string | null }
  | { kind: "limit"; name: LimitName; limit: number }
  | { kind: "range"; name: "duration_minutes"; min: number; max: number }
  | { kind: "amount_mismatch"; expected_poisha: number; reported_poisha: number }
  | { kind: "refundable"; refundable_poisha: number }
  | { kind: "gateway"; gateway?: string; error: string }
  | { kind: "retry"; retry_after_s: number; reason: "in_progress" | "rate_limited" | "unavailable" }
  | { kind: "existing"; provider_id: number }
  | { kind: "signature"; reason: string }
  | { kind: "readiness"; checks: Record<string, "ok" | "down"> }
  | { kind: "wallet_return"; booking_id: number; outcome: WalletOutcome };

/** The wire form of details: validation messages in one language. */
export type WireDetails =
  | Exclude<ErrorDetails, { kind: "validation" }>
  | { kind: "validation"; issues: { path: string; code: IssueCode; message: string }[] };

export function localizeDetails(details: ErrorDetails, lang: keyof Message): WireDetails {
  if (details.kind !== "validation") return details;
  return { kind: "validation", issues: details.issues.map((i) => ({ ...i, message: i.message[lang] })) };
}
