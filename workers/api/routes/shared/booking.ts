// Shared by the /booking and /payments endpoints: the booking schema, outcome rendering, and the request fingerprint.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { type Outcome, summary } from "../../../../durable-objects/provider-bookings/client";
import {
  BookingStatus,
  DisputeResolution,
  DisputeStatus,
  LedgerGateway,
  LedgerStatus,
  PaymentMethod,
  PriceUnit,
} from "../../../../lib/enums";
import type { ErrorDetails } from "../../../../lib/error-details";
import { ApiError } from "../../../../lib/errors";
import { sha256Hex } from "../../../../lib/hash";
import { messages } from "../../../../lib/i18n";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import type { AccountEventMessage } from "../../../../lib/messages";
import { checkReturnUrl, RETURN_URL_MAX } from "../../../../lib/return-url";
import { first } from "../../../../platform/pg/sql";
import { caller } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { VISIBLE_BOOKING } from "../../queries/booking";
import { LatLng } from "./geo";
import { pathId } from "./params";

export const PaymentSchema = z
  .object({
    status: LedgerStatus,
    gateway: LedgerGateway,
    amount_poisha: z.number().int(),
    captured_poisha: z.number().int(),
    refunded_poisha: z.number().int(),
    redirect_url: z.string().url().optional().openapi({
      description: "requires_action only: open this wallet page; the booking confirms when the wallet calls back.",
    }),
  })
  .openapi("Payment");

export const BookingSchema = z
  .object({
    id: z.number().int(),
    status: BookingStatus,
    customer_id: z.number().int(),
    provider_id: z.number().int(),
    service_type: z.string(),
    start_date: z.string().datetime(),
    end_date: z.string().datetime(),
    price_poisha: z.number().int(),
    unit_price_poisha: z.number().int(),
    unit: PriceUnit,
    payment_method: PaymentMethod,
    address: z.string().nullable(),
    location: z.union([LatLng, z.null()]),
    notes: z.string().nullable(),
    accept_deadline: z.string().datetime().nullable(),
    confirm_deadline: z
      .string()
      .datetime()
      .nullable()
      .openapi({
        description:
          "Set on acceptance: the booking EXPIRES at this instant unless the customer confirms it (24 h after " +
          "acceptance by default, never past the start).",
      }),
    canceled_by: z.string().nullable(),
    cancel_reason: z.string().nullable(),
    fee_poisha: z.number().int(),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
    payment: z.union([PaymentSchema, z.null()]).optional(),
  })
  .openapi("Booking");

/** A client's return_url: a string here; the allow-list check (which needs the config) is `allowedReturnUrl`. */
export const ReturnUrlField = z
  .string()
  .max(RETURN_URL_MAX)
  .openapi({
    description:
      "Where the phone's browser goes after a bKash or Nagad approval: 303 to this URL with only `booking_id` and " +
      "`outcome` (confirmed | pending | failed | canceled) added to its query. It must match RETURN_URL_ALLOWLIST " +
      "(production: `kormomela://…` or `https://kormomela.app/…`); no credentials, no `#fragment`. Otherwise 400.",
    example: "kormomela://payments/return",
  });

/** The return URL as the allow-list admits it (normalized), or a 400 naming the field. */
export function allowedReturnUrl(c: Context<AppEnv>, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const checked = checkReturnUrl(raw, c.var.config.returnRules);
  if (checked.ok) return checked.url;
  throw new ApiError("invalid_input", {
    message: "return_url_not_allowed",
    details: validationDetails([fieldIssue("return_url", `return_url_${checked.reason}`)]),
  });
}

export const BookingIdParam = z.object({ id: pathId });
export const security = [{ bearerAuth: [] }];

/** The booking, if the caller may see it: its customer, its provider's user, or an admin; else 404 (nothing leaks). */
export async function visibleBooking(c: Context<AppEnv>, id: number) {
  const me = caller(c);
  const row = await first(pgReader(c.env, `booking:${id}`), VISIBLE_BOOKING, { booking_id: id });
  if (!row) throw new ApiError("not_found");
  const allowed = me.role === "admin" || row.customer_id === me.userId || row.provider_user_id === me.userId;
  if (!allowed) throw new ApiError("not_found");
  return { ...row.view, payment: summary(row.payment) };
}

const IdempotencyKey = z
  .string()
  .min(8)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "printable_ascii")
  .openapi({
    description:
      "Makes the request safe to retry: the same key and body replay the first answer (with Idempotent-Replayed: " +
      "true); the same key with a different body answers 422. A fresh UUID per logical request is right.",
    example: "5f0c2b9e-8a51-4c1f-9d0e-1b2a3c4d5e6f",
  });

/** An Idempotency-Key the operation accepts (steps of a booking: recommended). */
export const IdempotencyHeader = z.object({ "idempotency-key": IdempotencyKey.optional() });

/** An Idempotency-Key the operation requires (creating a booking, refunding money). */
export const IdempotencyHeaderRequired = z.object({ "idempotency-key": IdempotencyKey });

/**
 * Turns a booking object's answer into the HTTP response; replays say so in a header. A public caller (a wallet's
 * return) passes its own `details` for a refusal, so the object's (amounts, states) never reach it.
 */
export function renderOutcome(c: Context<AppEnv>, outcome: Outcome, refusal?: { details: ErrorDetails }) {
  const headers: Record<string, string> = outcome.replayed ? { "Idempotent-Replayed": "true" } : {};
  // An outage inside the provider's object: the same request (same key) may be retried shortly.
  if (!outcome.ok && outcome.code === "dependency_unavailable") headers["Retry-After"] = "1";
  if (outcome.ok) {
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    return outcome;
  }
  throw new ApiError(outcome.code, {
    message: messages[outcome.message] ?? messages.internal,
    details: refusal ? refusal.details : outcome.details,
    headers,
  });
}

/** The fingerprint an idempotency key is bound to: method, path and the parsed body in a canonical order. */
export async function requestHash(method: string, path: string, body: unknown): Promise<string> {
  return sha256Hex(`${method} ${path} ${canonicalJson(body)}`);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export const DisputeSchema = z
  .object({
    id: z.number().int(),
    booking_id: z.number().int(),
    status: DisputeStatus,
    resolution: DisputeResolution.nullable(),
    refund_poisha: z.number().int().nullable(),
    reason: z.string(),
    created_at: z.string().datetime(),
    resolved_at: z.string().datetime().nullable(),
  })
  .openapi("Dispute");

export function disputeView(d: {
  id: number;
  booking_id: number;
  status: DisputeStatus;
  resolution: DisputeResolution | null;
  refund_poisha: number | null;
  reason: string;
  created_at: Date;
  resolved_at: Date | null;
}): z.infer<typeof DisputeSchema> {
  return {
    id: d.id,
    booking_id: d.booking_id,
    status: d.status,
    resolution: d.resolution,
    refund_poisha: d.refund_poisha,
    reason: d.reason,
    created_at: d.created_at.toISOString(),
    resolved_at: d.resolved_at?.toISOString() ?? null,
  };
}

/** Money news to the account-events queue; best effort: the dispute or payout itself is already recorded. */
export async function notifyAccount(env: Env, e: Omit<AccountEventMessage, "event_id" | "at">): Promise<void> {
  await env.ACCOUNT_EVENTS.send(
    { ...e, event_id: crypto.randomUUID(), at: new Date().toISOString() },
    { contentType: "json" },
  ).catch(() => {});
}
