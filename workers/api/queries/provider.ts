// The /provider service's SQL: profiles, the service list, the weekly plan and time off, KYC submissions and the
// admin audit. Every statement has named parameters and parses its rows here, once.
import type { Pool } from "@neondatabase/serverless";
import type { Context } from "hono";
import { z } from "zod";
import { storedWeekRanges, WEEKDAYS, type WeeklySlot, weeklyRanges } from "../../../lib/availability";
import { ActiveStatus, KycStatus, PriceUnit, VerificationStatus } from "../../../lib/enums";
import { ApiError } from "../../../lib/errors";
import { bigintNumber, first, type Runner, run, statement, timestamp } from "../../../platform/pg/sql";
import { withTransaction } from "../../../platform/pg/transaction";
import { caller } from "../auth/require-auth";
import type { AppEnv } from "../context";

const id = z.number().int();
const text = z.string();
const optionalText = z.string().nullable();

// ---- profiles ---------------------------------------------------------------------------------------------------

const ServiceOfferRow = z.object({ service_type: z.string(), price_poisha: z.number().int(), unit: PriceUnit });
export type ServiceOffer = z.infer<typeof ServiceOfferRow>;

/** A provider as the gateway reads it: the profile, its point as lat/lng, and its services. */
export const ProviderRow = z.object({
  id: bigintNumber,
  user_id: bigintNumber,
  display_name: z.string(),
  bio: z.string().nullable(),
  languages: z.array(z.string()),
  service_radius_km: z.number(),
  division: z.string().nullable(),
  district: z.string().nullable(),
  area: z.string().nullable(),
  verification_status: VerificationStatus,
  rating_avg: z.number(),
  rating_count: z.number().int(),
  weekly_schedule: z.array(z.object({ day: z.enum(WEEKDAYS), start: z.string(), end: z.string() })),
  created_at: timestamp,
  updated_at: timestamp,
  lat: z.number(),
  lng: z.number(),
  services: z.array(ServiceOfferRow),
});
export type ProviderRow = z.infer<typeof ProviderRow>;

const PROVIDER_SELECT = `
  SELECT p.id, p.user_id, p.display_name, p.bio, p.languages, p.service_radius_km::float8 AS service_radius_km,
         p.division, p.district, p.area, p.verification_status, p.rating_avg::float8 AS rating_avg, p.rating_count,
         p.weekly_schedule, p.created_at, p.updated_at,
         ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         COALESCE((SELECT json_agg(json_build_object('service_type', s.service_type, 'price_poisha', s.price_poisha,
                                                     'unit', s.unit) ORDER BY s.service_type)
                     FROM provider_services s WHERE s.provider_id = p.id), '[]') AS services
    FROM providers p`;

export const providerById = statement({
  params: { id },
  row: ProviderRow,
  text: `${PROVIDER_SELECT} WHERE p.id = :id`,
});

const providerByUser = statement({
  params: { user_id: id },
  row: ProviderRow,
  text: `${PROVIDER_SELECT} WHERE p.user_id = :user_id`,
});

/** The caller's provider row, or 404 when they are not a provider. Reads go to the primary: right after a write. */
export async function myProvider(c: Context<AppEnv>): Promise<ProviderRow> {
  const row = await first(c.var.services.pool(), providerByUser, { user_id: caller(c).userId });
  if (!row) {
    throw new ApiError("not_found", { message: { en: "You are not a provider yet.", bn: "আপনি এখনো সেবাদাতা নন।" } });
  }
  return row;
}

export const providerIdOfUser = statement({
  params: { user_id: id },
  row: z.object({ id: bigintNumber }),
  text: "SELECT id FROM providers WHERE user_id = :user_id",
});

export interface ProviderInput {
  display_name: string;
  bio?: string | undefined;
  languages: string[];
  services: ServiceOffer[];
  location: { lat: number; lng: number };
  service_radius_km: number;
  area: { division?: string | undefined; district?: string | undefined; area?: string | undefined };
}

const insertProvider = statement({
  params: {
    user_id: id,
    display_name: text,
    bio: optionalText,
    languages: z.array(z.string()),
    lat: z.number(),
    lng: z.number(),
    service_radius_km: z.number(),
    division: optionalText,
    district: optionalText,
    area: optionalText,
  },
  row: z.object({ id: bigintNumber }),
  text: `INSERT INTO providers (user_id, display_name, bio, languages, location, service_radius_km, division, district, area)
         VALUES (:user_id, :display_name, :bio, :languages, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography,
                 :service_radius_km, :division, :district, :area)
         RETURNING id`,
});

/** A customer who becomes a provider takes the provider role (an admin stays an admin). */
const promoteToProvider = statement({
  params: { user_id: id },
  row: z.unknown(),
  text: "UPDATE users SET role = 'provider' WHERE id = :user_id AND role = 'customer'",
});

/** Creates the caller's provider profile with its services and role in one transaction; returns the new id. */
export function createProvider(pool: Pool, userId: number, input: ProviderInput): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const created = await first(tx, insertProvider, {
      user_id: userId,
      display_name: input.display_name,
      bio: input.bio ?? null,
      languages: input.languages,
      lat: input.location.lat,
      lng: input.location.lng,
      service_radius_km: input.service_radius_km,
      division: input.area.division ?? null,
      district: input.area.district ?? null,
      area: input.area.area ?? null,
    });
    if (!created) throw new Error("provider insert returned nothing");
    await replaceServices(tx, created.id, input.services);
    await run(tx, promoteToProvider, { user_id: userId });
    return created.id;
  });
}

// NULL keeps a column as it is: a PATCH names only what it changes.
const updateProvider = statement({
  params: {
    id,
    display_name: optionalText,
    bio: optionalText,
    languages: z.array(z.string()).nullable(),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    service_radius_km: z.number().nullable(),
    division: optionalText,
    district: optionalText,
    area: optionalText,
  },
  row: z.unknown(),
  text: `UPDATE providers SET
           display_name = COALESCE(:display_name, display_name), bio = COALESCE(:bio, bio),
           languages = COALESCE(:languages, languages),
           location = CASE WHEN :lat::float8 IS NULL THEN location
                           ELSE ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326)::geography END,
           service_radius_km = COALESCE(:service_radius_km, service_radius_km),
           division = COALESCE(:division, division), district = COALESCE(:district, district),
           area = COALESCE(:area, area)
         WHERE id = :id`,
});

export type ProviderPatch = { [K in keyof ProviderInput]?: Partial<ProviderInput>[K] | undefined };

/** Applies a partial profile update (and, when given, the full new service list) in one transaction. */
export function patchProvider(pool: Pool, providerId: number, patch: ProviderPatch): Promise<void> {
  return withTransaction(pool, async (tx) => {
    await run(tx, updateProvider, {
      id: providerId,
      display_name: patch.display_name ?? null,
      bio: patch.bio ?? null,
      languages: patch.languages ?? null,
      lat: patch.location?.lat ?? null,
      lng: patch.location?.lng ?? null,
      service_radius_km: patch.service_radius_km ?? null,
      division: patch.area?.division ?? null,
      district: patch.area?.district ?? null,
      area: patch.area?.area ?? null,
    });
    if (patch.services) await replaceServices(tx, providerId, patch.services);
  });
}

const deleteServicesExcept = statement({
  params: { provider_id: id, keep: z.array(z.string()) },
  row: z.unknown(),
  text: "DELETE FROM provider_services WHERE provider_id = :provider_id AND NOT (service_type = ANY(:keep::text[]))",
});

const upsertService = statement({
  params: { provider_id: id, service_type: text, price_poisha: z.number().int(), unit: PriceUnit },
  row: z.unknown(),
  text: `INSERT INTO provider_services (provider_id, service_type, price_poisha, unit)
         VALUES (:provider_id, :service_type, :price_poisha, :unit)
         ON CONFLICT (provider_id, service_type) DO UPDATE SET price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit`,
});

async function replaceServices(tx: Runner, providerId: number, services: ServiceOffer[]) {
  await run(tx, deleteServicesExcept, { provider_id: providerId, keep: services.map((s) => s.service_type) });
  for (const s of services) await run(tx, upsertService, { provider_id: providerId, ...s });
}

/** The service catalog, in display order. */
export const serviceCatalog = statement({
  params: {},
  row: z.object({ service_type: z.string(), name_en: z.string(), name_bn: z.string() }),
  text: "SELECT service_type, name_en, name_bn FROM services ORDER BY sort_order, service_type",
});

// ---- availability -----------------------------------------------------------------------------------------------

const ACTIVE = ActiveStatus.options.map((s) => `'${s}'`).join(", ");
const Period = z.object({ start: z.string(), end: z.string() });

/** What free intervals are computed from: the plan's minute-of-week ranges, time off and busy windows in [from, to). */
export const availabilityInputs = statement({
  params: { id, from: text, to: text },
  row: z.object({
    verification_status: VerificationStatus,
    plan: z.array(z.tuple([z.number(), z.number()])),
    time_off: z.array(Period),
    busy: z.array(Period),
  }),
  text: `SELECT p.verification_status,
                COALESCE((SELECT json_agg(json_build_array(lower(s.week_minutes), upper(s.week_minutes)))
                            FROM provider_schedule s WHERE s.provider_id = p.id), '[]') AS plan,
                COALESCE((SELECT json_agg(json_build_object('start', lower(t.period), 'end', upper(t.period)))
                            FROM provider_time_off t
                           WHERE t.provider_id = p.id AND t.period && tstzrange(:from, :to)), '[]') AS time_off,
                COALESCE((SELECT json_agg(json_build_object('start', b.start_date, 'end', b.end_date))
                            FROM bookings b WHERE b.provider_id = p.id AND b.status IN (${ACTIVE})
                             AND b.booking_window && tstzrange(:from, :to)), '[]') AS busy
           FROM providers p WHERE p.id = :id`,
});

const setWeeklySchedule = statement({
  params: { id, weekly: text },
  row: z.unknown(),
  text: "UPDATE providers SET weekly_schedule = :weekly WHERE id = :id",
});
const clearSchedule = statement({
  params: { provider_id: id },
  row: z.unknown(),
  text: "DELETE FROM provider_schedule WHERE provider_id = :provider_id",
});
const insertScheduleRange = statement({
  params: { provider_id: id, lo: id, hi: id },
  row: z.unknown(),
  text: "INSERT INTO provider_schedule (provider_id, week_minutes) VALUES (:provider_id, int4range(:lo, :hi))",
});
const clearTimeOff = statement({
  params: { provider_id: id },
  row: z.unknown(),
  text: "DELETE FROM provider_time_off WHERE provider_id = :provider_id",
});
const insertTimeOff = statement({
  params: { provider_id: id, start: text, end: text, reason: optionalText },
  row: z.unknown(),
  text: `INSERT INTO provider_time_off (provider_id, period, reason)
         VALUES (:provider_id, tstzrange(:start, :end, '[)'), :reason)`,
});

/** Replaces the weekly plan and the time off in one transaction. */
export async function replaceAvailability(
  pool: Pool,
  providerId: number,
  weekly: WeeklySlot[],
  timeOff: { start: string; end: string; reason?: string | undefined }[],
): Promise<void> {
  const ranges = storedWeekRanges(weeklyRanges(weekly));
  await withTransaction(pool, async (tx) => {
    await run(tx, setWeeklySchedule, { id: providerId, weekly: JSON.stringify(weekly) });
    await run(tx, clearSchedule, { provider_id: providerId });
    for (const [lo, hi] of ranges) await run(tx, insertScheduleRange, { provider_id: providerId, lo, hi });
    await run(tx, clearTimeOff, { provider_id: providerId });
    for (const t of timeOff) {
      await run(tx, insertTimeOff, { provider_id: providerId, start: t.start, end: t.end, reason: t.reason ?? null });
    }
  });
}

// ---- KYC --------------------------------------------------------------------------------------------------------

export const KycDocuments = z.object({ nid_front: z.string(), nid_back: z.string(), selfie: z.string() });
export type KycDocuments = z.infer<typeof KycDocuments>;

/** A document as sealed at submit: the copy admins review, and what the store said it is. */
const SealedDocument = z.object({
  key: z.string(),
  etag: z.string(),
  size: z.number().int(),
  content_type: z.string(),
});
export const SealedDocuments = z.object({
  nid_front: SealedDocument,
  nid_back: SealedDocument,
  selfie: SealedDocument,
});
export type SealedDocuments = z.infer<typeof SealedDocuments>;

export const ReviewRow = z.object({
  id: bigintNumber,
  provider_id: bigintNumber,
  display_name: z.string(),
  status: KycStatus,
  submitted_at: timestamp,
  reviewed_at: timestamp.nullable(),
  reason: z.string().nullable(),
  nid_number: z.string(),
  documents: KycDocuments,
  sealed: SealedDocuments.nullable(),
});
export type ReviewRow = z.infer<typeof ReviewRow>;

const REVIEW_SELECT = `
  SELECT k.id, k.provider_id, p.display_name, k.status, k.submitted_at, k.reviewed_at, k.reason, k.nid_number,
         k.documents, k.sealed
    FROM kyc_submissions k JOIN providers p ON p.id = k.provider_id`;

export const reviewsByStatus = statement({
  params: { status: KycStatus },
  row: ReviewRow,
  text: `${REVIEW_SELECT} WHERE k.status = :status ORDER BY k.submitted_at LIMIT 200`,
});

export const reviewById = statement({ params: { id }, row: ReviewRow, text: `${REVIEW_SELECT} WHERE k.id = :id` });

const reviewForDecision = statement({
  params: { id },
  row: ReviewRow,
  text: `${REVIEW_SELECT} WHERE k.id = :id FOR UPDATE OF k`,
});

const insertSubmission = statement({
  params: { provider_id: id, nid_number: text, documents: text, sealed: text },
  row: z.object({ id: bigintNumber }),
  text: `INSERT INTO kyc_submissions (provider_id, nid_number, documents, sealed)
         VALUES (:provider_id, :nid_number, :documents, :sealed) RETURNING id`,
});

const setVerification = statement({
  params: { id, status: VerificationStatus },
  row: z.unknown(),
  text: "UPDATE providers SET verification_status = :status WHERE id = :id",
});

/**
 * Records a submission (the uploads it came from and their sealed copies) and marks the provider pending, together;
 * returns the submission id.
 */
export function submitKyc(
  pool: Pool,
  providerId: number,
  nidNumber: string,
  documents: KycDocuments,
  sealed: SealedDocuments,
): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const created = await first(tx, insertSubmission, {
      provider_id: providerId,
      nid_number: nidNumber,
      documents: JSON.stringify(documents),
      sealed: JSON.stringify(sealed),
    });
    if (!created) throw new Error("submission insert returned nothing");
    await run(tx, setVerification, { id: providerId, status: "pending" });
    return created.id;
  });
}

const recordDecision = statement({
  params: { id, status: KycStatus, reviewed_by: id, reason: optionalText },
  row: z.object({ status: KycStatus, reviewed_at: timestamp.nullable(), reason: z.string().nullable() }),
  text: `UPDATE kyc_submissions SET status = :status, reviewed_by = :reviewed_by, reviewed_at = now(), reason = :reason
          WHERE id = :id
         RETURNING status, reviewed_at, reason`,
});

const insertAdminAudit = statement({
  params: { admin_id: id, action: text, target_id: text, meta: text },
  row: z.unknown(),
  text: `INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
         VALUES (:admin_id, :action, 'kyc_submission', :target_id, :meta)`,
});

/** Appends an admin's action on a KYC submission to the append-only admin_audit. */
export async function auditKyc(
  db: Runner,
  entry: { adminId: number; action: string; submissionId: number; meta?: Record<string, unknown> },
): Promise<void> {
  await run(db, insertAdminAudit, {
    admin_id: entry.adminId,
    action: entry.action,
    target_id: String(entry.submissionId),
    meta: JSON.stringify(entry.meta ?? {}),
  });
}

export type KycDecision = "approve" | "reject";
const OUTCOME: Record<KycDecision, { kyc: KycStatus; provider: VerificationStatus }> = {
  approve: { kyc: "approved", provider: "verified" },
  reject: { kyc: "rejected", provider: "rejected" },
};

/**
 * Decides a pending submission under its row lock, with the provider's status and the audit entry in the same
 * transaction. Repeating the same decision changes nothing; the opposite one is a conflict.
 */
export function decideKyc(
  pool: Pool,
  submissionId: number,
  decision: KycDecision,
  adminId: number,
  reason: string | null,
): Promise<{ review: ReviewRow; changed: boolean }> {
  const outcome = OUTCOME[decision];
  return withTransaction(pool, async (tx) => {
    const review = await first(tx, reviewForDecision, { id: submissionId });
    if (!review) throw new ApiError("not_found");
    if (review.status === outcome.kyc) return { review, changed: false };
    if (review.status !== "pending") {
      throw new ApiError("conflict", {
        message: "illegal_transition",
        details: { kind: "state", status: review.status },
      });
    }
    const decided = await first(tx, recordDecision, {
      id: submissionId,
      status: outcome.kyc,
      reviewed_by: adminId,
      reason,
    });
    await run(tx, setVerification, { id: review.provider_id, status: outcome.provider });
    await auditKyc(tx, {
      adminId,
      action: `kyc.${decision}`,
      submissionId,
      meta: { provider_id: review.provider_id, reason },
    });
    return { review: { ...review, ...decided }, changed: true };
  });
}
