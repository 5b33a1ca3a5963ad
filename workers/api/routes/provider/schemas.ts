// Shapes shared by the /provider endpoints.
import { z } from "@hono/zod-openapi";
import { parseClock, WEEKDAYS } from "../../../../lib/availability";

export const ServiceOfferSchema = z
  .object({
    service_type: z.string().regex(/^[a-z][a-z_]{1,31}$/),
    price_poisha: z.number().int().positive().max(100_000_000),
    unit: z.enum(["hour", "day", "visit"]),
  })
  .openapi("ServiceOffer");

export const LatLng = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });

export const AreaSchema = z.object({
  division: z.string().max(60).optional(),
  district: z.string().max(60).optional(),
  area: z.string().max(120).optional(),
});

export const ProviderInputSchema = z
  .object({
    display_name: z.string().trim().min(1).max(120),
    bio: z.string().max(2000).optional(),
    languages: z
      .array(z.enum(["bn", "en", "hi", "ur", "ar"]))
      .min(1)
      .max(5)
      .default(["bn"]),
    services: z
      .array(ServiceOfferSchema)
      .min(1)
      .max(20)
      .refine((s) => new Set(s.map((x) => x.service_type)).size === s.length, "each service once"),
    location: LatLng,
    service_radius_km: z.number().gt(0).max(50).default(5),
    area: AreaSchema.default({}),
  })
  .openapi("ProviderInput");

const Clock = z.string().refine((v) => parseClock(v) !== null, "HH:MM, 00:00 to 24:00");

export const WeeklySlotSchema = z
  .object({ day: z.enum(WEEKDAYS), start: Clock, end: Clock })
  .refine((s) => (parseClock(s.end) ?? 0) > (parseClock(s.start) ?? 0), {
    message: "end must be after start",
    path: ["end"],
  })
  .openapi("WeeklySlot");

export const TimeOffSchema = z
  .object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    reason: z.string().max(200).optional(),
  })
  .refine((t) => new Date(t.end) > new Date(t.start), { message: "end must be after start", path: ["end"] })
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
    verification_status: z.enum(["unverified", "pending", "verified", "rejected"]),
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
    rating: z.number(),
    rating_count: z.number().int(),
    verified: z.boolean(),
  })
  .openapi("ProviderPublic");

type Row = Record<string, unknown>;

export function privateView(r: Row): z.infer<typeof ProviderPrivateSchema> {
  return {
    id: Number(r.id),
    user_id: Number(r.user_id),
    display_name: String(r.display_name),
    bio: (r.bio as string | null) ?? null,
    languages: r.languages as string[],
    services: r.services as z.infer<typeof ServiceOfferSchema>[],
    location: { lat: Number(r.lat), lng: Number(r.lng) },
    service_radius_km: Number(r.service_radius_km),
    area: {
      division: (r.division as string | null) ?? null,
      district: (r.district as string | null) ?? null,
      area: (r.area as string | null) ?? null,
    },
    verification_status: r.verification_status as "unverified",
    rating: Number(r.rating_avg),
    rating_count: Number(r.rating_count),
    weekly_schedule: r.weekly_schedule as z.infer<typeof WeeklySlotSchema>[],
    created_at: new Date(r.created_at as string).toISOString(),
    updated_at: new Date(r.updated_at as string).toISOString(),
  };
}

/** What anyone may see: no phone, no user id, no exact home location, only the area. */
export function publicView(r: Row): z.infer<typeof ProviderPublicSchema> {
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
  };
}
