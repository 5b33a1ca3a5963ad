// Drizzle mirror of migrations/*.sql for typed queries. The SQL files are the source of truth: PostGIS types,
// the tstzrange window, exclusion constraints and append-only triggers live only there (drizzle-kit cannot express them).
import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

export type LngLat = { lng: number; lat: number };

/** geography(Point,4326). Reads come back as EWKB hex unless selected with ST_AsGeoJSON; writes take {lng, lat}. */
export const geographyPoint = customType<{ data: LngLat; driverData: string }>({
  dataType: () => "geography(Point,4326)",
  toDriver: (p) => `SRID=4326;POINT(${p.lng} ${p.lat})`,
});

/** tstzrange, generated from start_date/end_date in the database; read-only here. */
export const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => ts("created_at").notNull().defaultNow();
const updatedAt = () => ts("updated_at").notNull().defaultNow();

export const USER_ROLES = ["customer", "provider", "admin"] as const;
export const VERIFICATION_STATUSES = ["unverified", "pending", "verified", "rejected"] as const;
export const PRICE_UNITS = ["hour", "day", "visit"] as const;
export const BOOKING_STATUSES = ["PENDING", "ACCEPTED", "CONFIRMED", "COMPLETED", "CANCELED"] as const;
export const DEVICE_PLATFORMS = ["ios", "android", "web"] as const;

export const users = pgTable("users", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
  phone: text("phone").notNull().unique(),
  role: text("role", { enum: USER_ROLES }).notNull().default("customer"),
  name: text("name"),
  lang: text("lang", { enum: ["bn", "en"] })
    .notNull()
    .default("bn"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const services = pgTable("services", {
  serviceType: text("service_type").primaryKey(),
  nameEn: text("name_en").notNull(),
  nameBn: text("name_bn").notNull(),
  sortOrder: integer("sort_order").notNull().default(100),
});

export const providers = pgTable("providers", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
  userId: bigint("user_id", { mode: "number" })
    .notNull()
    .unique()
    .references(() => users.id),
  displayName: text("display_name").notNull(),
  bio: text("bio"),
  languages: text("languages").array().notNull().default(sql`'{bn}'`),
  location: geographyPoint("location").notNull(),
  serviceRadiusKm: numeric("service_radius_km", { precision: 5, scale: 2, mode: "number" }).notNull().default(5),
  division: text("division"),
  district: text("district"),
  area: text("area"),
  verificationStatus: text("verification_status", { enum: VERIFICATION_STATUSES }).notNull().default("unverified"),
  ratingAvg: numeric("rating_avg", { precision: 3, scale: 2, mode: "number" }).notNull().default(0),
  ratingCount: integer("rating_count").notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const providerServices = pgTable(
  "provider_services",
  {
    providerId: bigint("provider_id", { mode: "number" })
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    serviceType: text("service_type")
      .notNull()
      .references(() => services.serviceType),
    pricePoisha: bigint("price_poisha", { mode: "number" }).notNull(),
    unit: text("unit", { enum: PRICE_UNITS }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.serviceType] })],
);

export const bookings = pgTable(
  "bookings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    customerId: bigint("customer_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    providerId: bigint("provider_id", { mode: "number" })
      .notNull()
      .references(() => providers.id),
    serviceType: text("service_type")
      .notNull()
      .references(() => services.serviceType),
    startDate: ts("start_date").notNull(),
    endDate: ts("end_date").notNull(),
    status: text("status", { enum: BOOKING_STATUSES }).notNull().default("PENDING"),
    pricePoisha: bigint("price_poisha", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    bookingWindow: tstzrange("booking_window").generatedAlwaysAs(sql`tstzrange(start_date, end_date, '[)')`),
  },
  (t) => [index("bookings_customer").on(t.customerId, t.id), index("bookings_provider").on(t.providerId, t.id)],
);

export const userDevices = pgTable("user_devices", {
  pushToken: text("push_token").primaryKey(),
  userId: bigint("user_id", { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  platform: text("platform", { enum: DEVICE_PLATFORMS }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const auditLog = pgTable("audit_log", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  bookingId: bigint("booking_id", { mode: "number" })
    .notNull()
    .references(() => bookings.id),
  actorId: bigint("actor_id", { mode: "number" }).references(() => users.id),
  action: text("action").notNull(),
  fromStatus: text("from_status"),
  toStatus: text("to_status"),
  meta: jsonb("meta").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
});

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    responseCode: integer("response_code"),
    responseBody: jsonb("response_body"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export const outbox = pgTable("outbox", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  eventId: uuid("event_id").notNull().unique(),
  topic: text("topic").notNull(),
  partitionKey: text("partition_key"),
  payload: jsonb("payload").notNull(),
  createdAt: createdAt(),
  publishedAt: ts("published_at"),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});
