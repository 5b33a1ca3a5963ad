// Provider data access: profile reads and writes, the weekly plan, time off. Writes bump search cache versions.
import type { Pool } from "@neondatabase/serverless";
import type { Redis } from "@upstash/redis/cloudflare";
import { type Range, storedWeekRanges, type WeeklySlot, weeklyRanges } from "../../../lib/availability";
import { cellOf } from "../../../lib/geo";
import { withTransaction } from "../../../platform/pg/transaction";
import { invalidateCell, type VersionKind } from "../../../platform/search-cache";

export interface ServiceOffer {
  service_type: string;
  price_poisha: number;
  unit: "hour" | "day" | "visit";
}

export interface ProviderInput {
  display_name: string;
  bio?: string | undefined;
  languages: string[];
  services: ServiceOffer[];
  location: { lat: number; lng: number };
  service_radius_km: number;
  area: { division?: string | undefined; district?: string | undefined; area?: string | undefined };
}

export const PROVIDER_SELECT = `
  SELECT p.id, p.user_id, p.display_name, p.bio, p.languages, p.service_radius_km::float8 AS service_radius_km,
         p.division, p.district, p.area, p.verification_status, p.rating_avg::float8 AS rating_avg, p.rating_count,
         p.weekly_schedule, p.created_at, p.updated_at,
         ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lng,
         COALESCE((SELECT json_agg(json_build_object('service_type', s.service_type, 'price_poisha', s.price_poisha,
                                                     'unit', s.unit) ORDER BY s.service_type)
                     FROM provider_services s WHERE s.provider_id = p.id), '[]') AS services
    FROM providers p`;

export type ProviderRow = Record<string, unknown> & {
  id: number | string;
  user_id: number | string;
  lat: number;
  lng: number;
};

/** Bumps the cache versions of the cells a provider was and is in. */
export async function invalidateProvider(redis: Redis, points: { lat: number; lng: number }[], kinds: VersionKind[]) {
  const cells = new Set(points.map((p) => cellOf(p.lat, p.lng)));
  await Promise.all([...cells].map((cell) => invalidateCell(redis, cell, kinds)));
}

export async function replaceServices(tx: { query: Pool["query"] }, providerId: number, services: ServiceOffer[]) {
  await tx.query("DELETE FROM provider_services WHERE provider_id = $1 AND NOT (service_type = ANY($2::text[]))", [
    providerId,
    services.map((s) => s.service_type),
  ]);
  for (const s of services) {
    await tx.query(
      `INSERT INTO provider_services (provider_id, service_type, price_poisha, unit) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider_id, service_type) DO UPDATE SET price_poisha = EXCLUDED.price_poisha, unit = EXCLUDED.unit`,
      [providerId, s.service_type, s.price_poisha, s.unit],
    );
  }
}

/** Replaces the weekly plan and the time off in one transaction; returns the stored week ranges. */
export async function replaceAvailability(
  pool: Pool,
  providerId: number,
  weekly: WeeklySlot[],
  timeOff: { start: string; end: string; reason?: string | undefined }[],
): Promise<Range[]> {
  const ranges = storedWeekRanges(weeklyRanges(weekly));
  await withTransaction(pool, async (tx) => {
    await tx.query("UPDATE providers SET weekly_schedule = $2 WHERE id = $1", [providerId, JSON.stringify(weekly)]);
    await tx.query("DELETE FROM provider_schedule WHERE provider_id = $1", [providerId]);
    for (const [lo, hi] of ranges) {
      await tx.query("INSERT INTO provider_schedule (provider_id, week_minutes) VALUES ($1, int4range($2, $3))", [
        providerId,
        lo,
        hi,
      ]);
    }
    await tx.query("DELETE FROM provider_time_off WHERE provider_id = $1", [providerId]);
    for (const t of timeOff) {
      await tx.query(
        "INSERT INTO provider_time_off (provider_id, period, reason) VALUES ($1, tstzrange($2, $3, '[)'), $4)",
        [providerId, t.start, t.end, t.reason ?? null],
      );
    }
  });
  return ranges;
}
