// Shapes shared by the /provider endpoints.
import { z } from "@hono/zod-openapi";
import { parseClock, WEEKDAYS } from "../../../../lib/availability";
import { KycStatus, PriceUnit, VerificationStatus } from "../../../../lib/enums";
import { instant, text } from "../../../../lib/input";
import type { ProviderRow, ReviewRow } from "../../queries/provider";
import { LatLng } from "../shared/geo";
import { pathId, withDefault } from "../shared/params";
import { ReliabilitySchema } from "../shared/reviews";

/** Stored with two decimals (numeric(5,2)): anything under 0.1 km would round to nothing. */
export const ServiceRadiusKm = z.number().min(0.1).max(50);

export const ServiceOfferSchema = z
  .object({
    service_type: z.string().regex(/^[a-z][a-z_]{1,31}$/),
    price_poisha: z.number().int().positive().max(100_000_000),
    unit: PriceUnit,
  })
  .openapi("ServiceOffer");

/** Languages a provider can list as spoken: wider than the app's own bn/en. */
export const SpokenLanguage = z.enum(["bn", "en", "hi", "ur", "ar"]);

export const AreaSchema = z.object({
  division: text({ max: 60 }).optional(),
  district: text({ max: 60 }).optional(),
  area: text({ max: 120 }).optional(),
});

export const ProviderInputSchema = z
  .object({
    display_name: text({ min: 1, max: 120 }),
    bio: text({ max: 2000, multiline: true }).optional(),
    languages: withDefault(z.array(SpokenLanguage).min(1).max(5), ["bn"]),
    services: z
      .array(ServiceOfferSchema)
      .min(1)
      .max(20)
      .refine((s) => new Set(s.map((x) => x.service_type)).size === s.length, "each service once"),
    location: LatLng,
    service_radius_km: withDefault(ServiceRadiusKm, 5),
    area: withDefault(AreaSchema, {}),
  })
  .openapi("ProviderInput");

const Clock = z.string().refine((v) => parseClock(v) !== null, "HH:MM, 00:00 to 24:00");

export const WeeklySlotSchema = z
  .object({ day: z.enum(WEEKDAYS), start: Clock, end: Clock })
  .refine((s) => (parseClock(s.end) ?? 0) > (parseClock(s.start) ?? 0), {
    message: "end_after_start",
    path: ["end"],
  })
  .openapi("WeeklySlot");

export const TimeOffSchema = z
  .object({
    start: instant,
    end: instant,
    reason: text({ max: 200 }).optional(),
  })
  .refine((t) => new Date(t.end) > new Date(t.start), { message: "end_after_start", path: ["end"] })
  .openapi("TimeOff");

export const ProviderPrivateSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    display_name: z.string(),
    bio: z.string().nullable(),
    languages: z.array(z.string()),
    services: z.array(ServiceOfferSchema),
    location: LatLng,
    service_radius_km: z.number(),
    area: z.object({ division: z.string().nullable(), district: z.string().nullable(), area: z.string().nullable() }),
    verification_status: VerificationStatus,
    rating: z.number(),
    rating_count: z.number().int(),
    weekly_schedule: z.array(WeeklySlotSchema),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi("ProviderPrivate");

export const ProviderPublicSchema = z
  .object({
    id: z.number().int(),
    display_name: z.string(),
    bio: z.string().nullable(),
    languages: z.array(z.string()),
    services: z.array(ServiceOfferSchema),
    area: z.object({ division: z.string().nullable(), district: z.string().nullable(), area: z.string().nullable() }),
    rating: z.number().openapi({
      description: "The Bayesian rating: (m·C + Σ stars) / (m + n), the prior mean C until reviews are published.",
    }),
    rating_count: z.number().int().openapi({ description: "The published reviews it counts." }),
    verified: z.boolean(),
    reliability: ReliabilitySchema,
  })
  .openapi("ProviderPublic");

export function privateView(r: ProviderRow): z.infer<typeof ProviderPrivateSchema> {
  return {
    id: r.id,
    user_id: r.user_id,
    display_name: r.display_name,
    bio: r.bio,
    languages: r.languages,
    services: r.services,
    location: { lat: r.lat, lng: r.lng },
    service_radius_km: r.service_radius_km,
    area: { division: r.division, district: r.district, area: r.area },
    verification_status: r.verification_status,
    rating: r.rating_avg,
    rating_count: r.rating_count,
    weekly_schedule: r.weekly_schedule,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** What anyone may see: no phone, no user id, no exact home location, only the area; reliability with samples. */
export function publicView(
  r: ProviderRow,
  reliability: z.infer<typeof ReliabilitySchema>,
): z.infer<typeof ProviderPublicSchema> {
  const p = privateView(r);
  return {
    id: p.id,
    display_name: p.display_name,
    bio: p.bio,
    languages: p.languages,
    services: p.services,
    area: p.area,
    rating: p.rating,
    rating_count: p.rating_count,
    verified: p.verification_status === "verified",
    reliability,
  };
}

/** A KYC submission as admins see it in lists and decisions. */
export const ReviewSchema = z
  .object({
    id: z.number().int(),
    provider_id: z.number().int(),
    display_name: z.string(),
    status: KycStatus,
    submitted_at: z.string().datetime(),
    reviewed_at: z.string().datetime().nullable(),
    reason: z.string().nullable(),
  })
  .openapi("KycReview");

export function reviewView(r: ReviewRow): z.infer<typeof ReviewSchema> {
  return {
    id: r.id,
    provider_id: r.provider_id,
    display_name: r.display_name,
    status: r.status,
    submitted_at: r.submitted_at.toISOString(),
    reviewed_at: r.reviewed_at?.toISOString() ?? null,
    reason: r.reason,
  };
}

export const ReviewIdParam = z.object({ id: pathId });
