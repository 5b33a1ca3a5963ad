// The shapes a job request and an offer have when they leave Postgres (job_request_view, job_offer_view in migration
// 0019), and what the request's object answers. Public: the gateway reads and renders with them.
import { z } from "zod";
import { JobRequestStatus, OfferStatus, PaymentMethod, PriceUnit } from "../../lib/enums";
import type { ErrorDetails } from "../../lib/error-details";
import type { ErrorCode } from "../../lib/errors";
import type { MessageKey } from "../../lib/i18n";

const Point = z.object({ lat: z.number(), lng: z.number() });

/** A request as its customer sees it: nothing about offers, providers asked or who declined. */
export const JobRequestView = z.object({
  id: z.number().int(),
  status: JobRequestStatus,
  service_type: z.string(),
  location: Point,
  address: z.string().nullable(),
  notes: z.string().nullable(),
  start_date: z.string(),
  end_date: z.string(),
  payment_method: PaymentMethod,
  max_price_poisha: z.number().int().nullable(),
  booking_id: z.number().int().nullable(),
  search_ends_at: z.string(),
  closed_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type JobRequestView = z.infer<typeof JobRequestView>;

/** An offer as its provider sees it: the job, the pay, how far and roughly where; nothing about the customer. */
export const OfferView = z.object({
  id: z.number().int(),
  request_id: z.number().int(),
  status: OfferStatus,
  service_type: z.string(),
  start_date: z.string(),
  end_date: z.string(),
  price_poisha: z.number().int(),
  unit: PriceUnit,
  payment_method: PaymentMethod,
  distance_m: z.number().int(),
  approx_location: Point,
  notes: z.string().nullable(),
  expires_at: z.string(),
  responded_at: z.string().nullable(),
  booking_id: z.number().int().nullable(),
  created_at: z.string(),
});
export type OfferView = z.infer<typeof OfferView>;

/** What the request's object answers: the body, or a refusal with a catalogue message (rendered in bn or en). */
export type Answer<T> =
  | { ok: true; body: T }
  | { ok: false; code: ErrorCode; message: MessageKey; details?: ErrorDetails };

export const refuse = (code: ErrorCode, message: MessageKey, details?: ErrorDetails): Answer<never> => ({
  ok: false,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});
