// The shapes a booking and its payment have when they leave Postgres: zod schemas, so every row is parsed at one
// boundary (the statement that reads it) and the types follow from the schemas. Public: the gateway reads with them.
import { z } from "zod";
import { BookingStatus, LedgerGateway, LedgerStatus, PaymentMethod, PriceUnit } from "../../lib/enums";
import type { ErrorDetails } from "../../lib/error-details";
import { ErrorCode } from "../../lib/errors";
import { type MessageKey, messages } from "../../lib/i18n";

/** A booking as the API shows it: what the SQL function booking_view(b) builds. */
export const BookingView = z.object({
  id: z.number().int(),
  status: BookingStatus,
  customer_id: z.number().int(),
  provider_id: z.number().int(),
  service_type: z.string(),
  start_date: z.string(),
  end_date: z.string(),
  price_poisha: z.number().int(),
  unit_price_poisha: z.number().int(),
  unit: PriceUnit,
  payment_method: PaymentMethod,
  address: z.string().nullable(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  notes: z.string().nullable(),
  accept_deadline: z.string().nullable(),
  /** ACCEPTED: when it lapses unless the customer confirms (answers stored before the column have none). */
  confirm_deadline: z.string().nullable().default(null),
  canceled_by: z.string().nullable(),
  cancel_reason: z.string().nullable(),
  fee_poisha: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type BookingView = z.infer<typeof BookingView>;

/** The ledger row as to_jsonb(payments) has it: bigints arrive as JSON numbers, timestamps as ISO text. */
export const PaymentRow = z.object({
  status: LedgerStatus,
  gateway: LedgerGateway,
  amount_poisha: z.number().int(),
  captured_poisha: z.number().int(),
  refunded_poisha: z.number().int(),
  gateway_ref: z.string().nullable(),
  gateway_txn: z.string().nullable(),
  action_url: z.string().nullable(),
  /** Where this attempt's wallet return sends the browser (rows from before migration 0014 have none). */
  return_url: z.string().nullable().optional(),
  attempts: z.number().int(),
  authorized_at: z.string().nullable(),
  last_error: z.string().nullable(),
  updated_at: z.string(),
});
export type PaymentRow = z.infer<typeof PaymentRow>;

/** What a booking's answer says about its money. */
export const PaymentSummary = z.object({
  status: LedgerStatus,
  gateway: LedgerGateway,
  amount_poisha: z.number().int(),
  captured_poisha: z.number().int(),
  refunded_poisha: z.number().int(),
  redirect_url: z.string().optional(),
});
export type PaymentSummary = z.infer<typeof PaymentSummary>;

/** A booking with its payment, as a step answers it (and as the answer is stored under an idempotency key). */
export const BookingWithPayment = BookingView.extend({ payment: PaymentSummary.nullable().optional() });
export type BookingWithPayment = z.infer<typeof BookingWithPayment>;

export function summary(p: PaymentRow | null): PaymentSummary | null {
  if (!p) return null;
  return {
    status: p.status,
    gateway: p.gateway,
    amount_poisha: p.amount_poisha,
    captured_poisha: p.captured_poisha,
    refunded_poisha: p.refunded_poisha,
    ...(p.status === "requires_action" && p.action_url ? { redirect_url: p.action_url } : {}),
  };
}

export const isMessageKey = (v: unknown): v is MessageKey => typeof v === "string" && Object.hasOwn(messages, v);
const MessageKeySchema = z.custom<MessageKey>(isMessageKey);

/** The answer to a step: what the RPC returns, and what an idempotency key stores for a replay. */
export const Outcome = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    status: z.union([z.literal(200), z.literal(201), z.literal(202)]),
    body: BookingWithPayment,
    replayed: z.boolean().optional(),
  }),
  z.object({
    ok: z.literal(false),
    code: ErrorCode,
    message: MessageKeySchema,
    // Stored with idempotency keys and read back: the union is the app's own, so it is not re-checked here.
    details: z.custom<ErrorDetails>().optional(),
    replayed: z.boolean().optional(),
  }),
]);
export type Outcome = z.infer<typeof Outcome>;

/** A refusal, in the shape every step answers with. */
export const fail = (code: ErrorCode, message: MessageKey, details?: ErrorDetails): Outcome => ({
  ok: false,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});
