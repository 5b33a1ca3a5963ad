// The availability rule as SQL: a provider is free for a window when their weekly plan covers it, no time off meets
// it and no active booking overlaps it. Search and matching filter with this one text; the provider's object decides
// a booking on the same three facts (its claim-and-read, its cache, and the exclusion constraint as the last word).
import { ActiveStatus } from "../../lib/enums";

/** The window as a range, from the :start and :end parameters. */
export const WINDOW_RANGE = "tstzrange(:start::timestamptz, :end::timestamptz, '[)')";

/**
 * `AND …` conditions that hold when the provider `providerId` (a column expression) is free for the whole window:
 * binds :week_from and :week_to (lib/availability.ts windowWeekRange) and :start and :end.
 */
export function freeForWindow(providerId: string): string {
  return `
  AND EXISTS (SELECT 1 FROM provider_schedule s
               WHERE s.provider_id = ${providerId} AND s.week_minutes @> int4range(:week_from, :week_to))
  AND NOT EXISTS (SELECT 1 FROM provider_time_off t WHERE t.provider_id = ${providerId} AND t.period && ${WINDOW_RANGE})
  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.provider_id = ${providerId}
                     AND b.status IN (${ActiveStatus.options.map((s) => `'${s}'`).join(", ")})
                     AND b.booking_window && ${WINDOW_RANGE})`;
}
