// Column types and helpers the drizzle tables share: PostGIS points, ranges, timestamps, text enums from lib/enums.ts.
import { customType, timestamp } from "drizzle-orm/pg-core";

export type LngLat = { lng: number; lat: number };

/** geography(Point,4326). Reads come back as EWKB hex unless selected with ST_AsGeoJSON; writes take {lng, lat}. */
export const geographyPoint = customType<{ data: LngLat; driverData: string }>({
  dataType: () => "geography(Point,4326)",
  toDriver: (p) => `SRID=4326;POINT(${p.lng} ${p.lat})`,
});

/** tstzrange, generated from start_date/end_date in the database; read-only here. */
export const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });

/** int4range: minute-of-week ranges of a provider's weekly plan (see lib/availability.ts). */
export const int4range = customType<{ data: string }>({ dataType: () => "int4range" });

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => ts("created_at").notNull().defaultNow();
export const updatedAt = () => ts("updated_at").notNull().defaultNow();

/** A zod enum's values as the non-empty tuple drizzle's text enums take. */
export function values<const T extends string>(e: { options: T[] }): [T, ...T[]] {
  const [head, ...rest] = e.options;
  if (head === undefined) throw new Error("an enum needs at least one value");
  return [head, ...rest];
}
