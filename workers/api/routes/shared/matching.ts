// Shared by the matching endpoints (/booking/requests, /booking/offers): the request and offer schemas, who may see
// which, and rendering the request object's answers.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Answer } from "../../../../durable-objects/job-request/client";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { JobRequestStatus, OfferStatus, PaymentMethod, PriceUnit } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { messages } from "../../../../lib/i18n";
import { first } from "../../../../platform/pg/sql";
import { caller } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { OFFER_FOR_CALLER, REQUEST_FOR_CALLER } from "../../queries/matching";
import { BookingSchema } from "./booking";
import { LatLng } from "./geo";

export const JobRequestSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(JobRequestStatus.options).openapi({
      description:
        "SEARCHING until a provider accepts (MATCHED, with booking_id), nobody does (NO_PROVIDER), or CANCELED.",
    }),
    service_type: z.string(),
    location: LatLng,
    address: z.string().nullable(),
    notes: z.string().nullable(),
    start_date: z.string().datetime(),
    end_date: z.string().datetime(),
    payment_method: PaymentMethod,
    max_price_poisha: z.number().int().nullable(),
    booking_id: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "MATCHED: the booking, already ACCEPTED by its provider; confirm it to pay." }),
    search_ends_at: z
      .string()
      .datetime()
      .openapi({ description: "The search gives up (NO_PROVIDER) at this instant." }),
    closed_at: z.string().datetime().nullable(),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi("JobRequest");

export const OfferSchema = z
  .object({
    id: z.number().int(),
    request_id: z.number().int(),
    status: OfferStatus,
    service_type: z.string(),
    start_date: z.string().datetime(),
    end_date: z.string().datetime(),
    price_poisha: z.number().int().openapi({ description: "What the job pays at your price, for its whole window." }),
    unit: PriceUnit,
    payment_method: PaymentMethod,
    distance_m: z.number().int().openapi({ description: "From your public point to the job, to 100 m." }),
    approx_location: LatLng.openapi({ description: "The job's area: its point rounded to about a kilometre." }),
    notes: z.string().nullable().openapi({ description: "The customer's notes, contact details hidden." }),
    expires_at: z.string().datetime().openapi({ description: "Accept before this instant." }),
    responded_at: z.string().datetime().nullable(),
    booking_id: z.number().int().nullable(),
    created_at: z.string().datetime(),
  })
  .openapi("JobOffer");

export const REQUEST_EXAMPLE = {
  id: 311,
  status: "SEARCHING",
  service_type: "driver",
  location: { lat: 23.7925, lng: 90.4152 },
  address: "House 12, Road 5, Gulshan 1, Dhaka 1212",
  notes: "Airport run, two suitcases.",
  start_date: "2027-01-10T03:00:00.000Z",
  end_date: "2027-01-10T06:00:00.000Z",
  payment_method: "cash",
  max_price_poisha: 100_000,
  booking_id: null,
  search_ends_at: "2027-01-09T10:10:00.000Z",
  closed_at: null,
  created_at: "2027-01-09T10:00:00.000Z",
  updated_at: "2027-01-09T10:00:00.000Z",
} as const;

export const OFFER_EXAMPLE = {
  id: 5120,
  request_id: 311,
  status: "open",
  service_type: "driver",
  start_date: "2027-01-10T03:00:00.000Z",
  end_date: "2027-01-10T06:00:00.000Z",
  price_poisha: 75_000,
  unit: "hour",
  payment_method: "cash",
  distance_m: 1800,
  approx_location: { lat: 23.79, lng: 90.42 },
  notes: "Airport run, two suitcases.",
  expires_at: "2027-01-09T10:01:00.000Z",
  responded_at: null,
  booking_id: null,
  created_at: "2027-01-09T10:00:00.000Z",
} as const;

export const OfferAcceptedSchema = OfferSchema.extend({
  booking: BookingSchema.openapi({ description: "Your booking for the job, ACCEPTED: the customer confirms next." }),
}).openapi("JobOfferAccepted");

/** A request, if the caller may see it: its customer, or an admin. Anyone else gets 404 (nothing leaks). */
export async function visibleRequest(c: Context<AppEnv>, id: number) {
  const me = caller(c);
  const row = await first(pgReader(c.env, `request:${id}`), REQUEST_FOR_CALLER, { request_id: id });
  if (!row || (row.customer_id !== me.userId && me.role !== "admin")) throw new ApiError("not_found");
  return { view: row.view, customerId: row.customer_id };
}

/** The request an offer belongs to, if the caller is the offer's provider; anyone else gets 404. */
export async function ownOffer(c: Context<AppEnv>, offerId: number): Promise<{ requestId: number; userId: number }> {
  const me = caller(c);
  const row = await first(pgReader(c.env, `offer:${offerId}`), OFFER_FOR_CALLER, { offer_id: offerId });
  if (!row || row.provider_user_id !== me.userId) throw new ApiError("not_found");
  return { requestId: row.request_id, userId: me.userId };
}

/** Turns the request object's answer into the body, or into the error it stands for. */
export function renderAnswer<T>(answer: Answer<T>): T {
  if (answer.ok) return answer.body;
  const headers: Record<string, string> =
    answer.code === "dependency_unavailable" ? { "Retry-After": String(retryAfter(answer)) } : {};
  throw new ApiError(answer.code, {
    message: messages[answer.message] ?? messages.internal,
    details: answer.details,
    headers,
  });
}

const retryAfter = (a: Extract<Answer<unknown>, { ok: false }>) =>
  a.details?.kind === "retry" ? Math.max(1, a.details.retry_after_s) : 1;
