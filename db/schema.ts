// The tables as drizzle sees them, for the gateway's typed reads and inserts (`c.var.services.db()`). Migrations
// create the tables: PostGIS types, the tstzrange window, exclusion constraints and append-only triggers live only
// there. test/node/drizzle-mirror.test.ts checks every table and column here against the migrated database; the
// closed lists come from lib/enums.ts.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import {
  Actor,
  BookingStatus,
  DeliveryChannel,
  DeliveryStatus,
  DevicePlatform,
  type KycDocument,
  KycStatus,
  Lang,
  LedgerGateway,
  LedgerStatus,
  PaymentMethod,
  PriceUnit,
  Role,
  VerificationStatus,
} from "../lib/enums";
import { createdAt, geographyPoint, int4range, ts, tstzrange, updatedAt, values } from "./columns";

export { geographyPoint, int4range, type LngLat, tstzrange } from "./columns";

export const users = pgTable("users", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
  phone: text("phone").notNull().unique(),
  role: text("role", { enum: values(Role) })
    .notNull()
    .default("customer"),
  name: text("name"),
  lang: text("lang", { enum: values(Lang) })
    .notNull()
    .default("bn"),
  notifyPush: boolean("notify_push").notNull().default(true),
  notifySms: boolean("notify_sms").notNull().default(true),
  quietStartMin: integer("quiet_start_min"),
  quietEndMin: integer("quiet_end_min"),
  /** Set by a moderator (migration 0016): sessions are revoked and no new ones start. */
  suspendedAt: ts("suspended_at"),
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
  verificationStatus: text("verification_status", { enum: values(VerificationStatus) })
    .notNull()
    .default("unverified"),
  /** The Bayesian rating (migration 0017): the prior mean until reviews are published. */
  ratingAvg: numeric("rating_avg", { precision: 3, scale: 2, mode: "number" }).notNull().default(4),
  ratingCount: integer("rating_count").notNull().default(0),
  ratingSum: integer("rating_sum").notNull().default(0),
  trustScore: numeric("trust_score", { precision: 5, scale: 2, mode: "number" }).notNull().default(0),
  weeklySchedule: jsonb("weekly_schedule").$type<{ day: string; start: string; end: string }[]>().notNull().default([]),
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
    unit: text("unit", { enum: values(PriceUnit) }).notNull(),
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
    status: text("status", { enum: values(BookingStatus) })
      .notNull()
      .default("PENDING"),
    pricePoisha: bigint("price_poisha", { mode: "number" }),
    unitPricePoisha: bigint("unit_price_poisha", { mode: "number" }),
    unit: text("unit", { enum: values(PriceUnit) }),
    paymentMethod: text("payment_method", { enum: values(PaymentMethod) })
      .notNull()
      .default("cash"),
    paymentMethodId: text("payment_method_id"),
    address: text("address"),
    location: geographyPoint("location"),
    notes: text("notes"),
    acceptDeadline: ts("accept_deadline"),
    confirmDeadline: ts("confirm_deadline"),
    /** Where a wallet's return sends the browser (migration 0014); the default for every payment attempt. */
    returnUrl: text("return_url"),
    /** When the booking reached its end (migration 0018): the dispute window counts from here. */
    endedAt: ts("ended_at"),
    canceledBy: text("canceled_by", { enum: values(Actor) }),
    cancelReason: text("cancel_reason"),
    feePoisha: bigint("fee_poisha", { mode: "number" }).notNull().default(0),
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
  platform: text("platform", { enum: values(DevicePlatform) }).notNull(),
  /** The session that registered it: ending that session unregisters the device. */
  sessionId: uuid("session_id").references(() => authSessions.id, { onDelete: "set null" }),
  lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
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

export const authSessions = pgTable("auth_sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: bigint("user_id", { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  deviceId: text("device_id").notNull(),
  platform: text("platform", { enum: values(DevicePlatform) }).notNull(),
  deviceName: text("device_name"),
  deviceJkt: text("device_jkt"),
  deviceKey: jsonb("device_key"),
  createdAt: createdAt(),
  lastUsedAt: ts("last_used_at").notNull().defaultNow(),
  revokedAt: ts("revoked_at"),
  revokeReason: text("revoke_reason"),
});

export const refreshTokens = pgTable("refresh_tokens", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  tokenHash: text("token_hash").notNull().unique(),
  familyId: uuid("family_id")
    .notNull()
    .references(() => authSessions.id, { onDelete: "cascade" }),
  userId: bigint("user_id", { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  deviceId: text("device_id").notNull(),
  expiresAt: ts("expires_at").notNull(),
  createdAt: createdAt(),
  revokedAt: ts("revoked_at"),
  replacedBy: bigint("replaced_by", { mode: "number" }),
});

export const providerSchedule = pgTable("provider_schedule", {
  providerId: bigint("provider_id", { mode: "number" })
    .notNull()
    .references(() => providers.id, { onDelete: "cascade" }),
  weekMinutes: int4range("week_minutes").notNull(),
});

export const providerTimeOff = pgTable("provider_time_off", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  providerId: bigint("provider_id", { mode: "number" })
    .notNull()
    .references(() => providers.id, { onDelete: "cascade" }),
  period: tstzrange("period").notNull(),
  reason: text("reason"),
});

export const kycSubmissions = pgTable("kyc_submissions", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  providerId: bigint("provider_id", { mode: "number" })
    .notNull()
    .references(() => providers.id, { onDelete: "cascade" }),
  nidNumber: text("nid_number").notNull(),
  documents: jsonb("documents").$type<Record<KycDocument, string>>().notNull(),
  sealed:
    jsonb("sealed").$type<Record<KycDocument, { key: string; etag: string; size: number; content_type: string }>>(),
  status: text("status", { enum: values(KycStatus) })
    .notNull()
    .default("pending"),
  submittedAt: ts("submitted_at").notNull().defaultNow(),
  reviewedBy: bigint("reviewed_by", { mode: "number" }).references(() => users.id),
  reviewedAt: ts("reviewed_at"),
  reason: text("reason"),
});

export const adminAudit = pgTable("admin_audit", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  adminId: bigint("admin_id", { mode: "number" })
    .notNull()
    .references(() => users.id),
  action: text("action").notNull(),
  targetType: text("target_type").notNull(),
  targetId: text("target_id").notNull(),
  meta: jsonb("meta").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
});

/** Maintained by triggers from providers and provider_services (migration 0004); never written by the app. */
export const searchListings = pgTable(
  "search_listings",
  {
    providerId: bigint("provider_id", { mode: "number" })
      .notNull()
      .references(() => providers.id, { onDelete: "cascade" }),
    serviceType: text("service_type").notNull(),
    displayName: text("display_name").notNull(),
    pricePoisha: bigint("price_poisha", { mode: "number" }).notNull(),
    unit: text("unit", { enum: values(PriceUnit) }).notNull(),
    ratingAvg: numeric("rating_avg", { precision: 3, scale: 2, mode: "number" }).notNull(),
    ratingCount: integer("rating_count").notNull(),
    trustScore: numeric("trust_score", { precision: 5, scale: 2, mode: "number" }).notNull().default(0),
    location: geographyPoint("location").notNull(),
    serviceRadiusM: doublePrecision("service_radius_m").notNull(),
    verified: boolean("verified").notNull(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.serviceType] })],
);

export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    bookingId: bigint("booking_id", { mode: "number" }),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: values(DeliveryChannel) }).notNull(),
    targetHash: text("target_hash").notNull(),
    status: text("status", { enum: values(DeliveryStatus) }).notNull(),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique().on(t.eventId, t.userId, t.channel, t.targetHash)],
);

export const payments = pgTable("payments", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  bookingId: bigint("booking_id", { mode: "number" })
    .notNull()
    .unique()
    .references(() => bookings.id),
  gateway: text("gateway", { enum: values(LedgerGateway) }).notNull(),
  status: text("status", { enum: values(LedgerStatus) }).notNull(),
  currency: text("currency").notNull().default("BDT"),
  amountPoisha: bigint("amount_poisha", { mode: "number" }).notNull(),
  capturedPoisha: bigint("captured_poisha", { mode: "number" }).notNull().default(0),
  refundedPoisha: bigint("refunded_poisha", { mode: "number" }).notNull().default(0),
  gatewayRef: text("gateway_ref"),
  lastError: text("last_error"),
  attempts: integer("attempts").notNull().default(1),
  gatewayTxn: text("gateway_txn"),
  actionUrl: text("action_url"),
  /** The return URL this attempt started with (migration 0014). */
  returnUrl: text("return_url"),
  authorizedAt: timestamp("authorized_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const paymentEvents = pgTable("payment_events", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  paymentId: bigint("payment_id", { mode: "number" })
    .notNull()
    .references(() => payments.id),
  kind: text("kind").notNull(),
  amountPoisha: bigint("amount_poisha", { mode: "number" }),
  gatewayRef: text("gateway_ref"),
  meta: jsonb("meta").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
});

export * from "./matching";
// The chat, the money and the reviews' tables live in their own files; they are part of the same schema.
export * from "./schema-chat";
export * from "./schema-money";
export * from "./schema-reviews";
