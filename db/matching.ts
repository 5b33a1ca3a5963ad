// Matching's tables (migration 0019) as drizzle sees them: job requests and the offers each wave sends. Each
// request's object is their one writer; the gateway only reads. The foreign keys are the migration's (this mirror
// names columns and types; db/schema.ts re-exports these tables, and test/node/drizzle-mirror.test.ts checks them).

import { sql } from "drizzle-orm";
import { bigint, doublePrecision, integer, pgTable, text, unique } from "drizzle-orm/pg-core";
import { JobRequestStatus, OfferStatus, PaymentMethod, PriceUnit } from "../lib/enums";
import { createdAt, geographyPoint, ts, tstzrange, updatedAt, values } from "./columns";

export const jobRequests = pgTable("job_requests", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  customerId: bigint("customer_id", { mode: "number" }).notNull(),
  serviceType: text("service_type").notNull(),
  location: geographyPoint("location").notNull(),
  address: text("address"),
  notes: text("notes"),
  /** The notes with contact details redacted: what providers see before one wins. */
  offerNotes: text("offer_notes"),
  startDate: ts("start_date").notNull(),
  endDate: ts("end_date").notNull(),
  requestWindow: tstzrange("request_window").generatedAlwaysAs(sql`tstzrange(start_date, end_date, '[)')`),
  paymentMethod: text("payment_method", { enum: values(PaymentMethod) })
    .notNull()
    .default("cash"),
  paymentMethodId: text("payment_method_id"),
  maxPricePoisha: bigint("max_price_poisha", { mode: "number" }),
  status: text("status", { enum: values(JobRequestStatus) })
    .notNull()
    .default("SEARCHING"),
  wave: integer("wave").notNull().default(0),
  waveEndsAt: ts("wave_ends_at"),
  searchUntil: ts("search_until").notNull(),
  bookingId: bigint("booking_id", { mode: "number" }).unique(),
  providerId: bigint("provider_id", { mode: "number" }),
  idempotencyKey: text("idempotency_key"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  closedAt: ts("closed_at"),
});

export const jobOffers = pgTable(
  "job_offers",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: bigint("request_id", { mode: "number" }).notNull(),
    providerId: bigint("provider_id", { mode: "number" }).notNull(),
    wave: integer("wave").notNull(),
    rank: integer("rank").notNull(),
    score: doublePrecision("score").notNull(),
    distanceM: doublePrecision("distance_m").notNull(),
    pricePoisha: bigint("price_poisha", { mode: "number" }).notNull(),
    unit: text("unit", { enum: values(PriceUnit) }).notNull(),
    status: text("status", { enum: values(OfferStatus) })
      .notNull()
      .default("open"),
    expiresAt: ts("expires_at").notNull(),
    respondedAt: ts("responded_at"),
    declineReason: text("decline_reason"),
    bookingId: bigint("booking_id", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("job_offers_once").on(t.requestId, t.providerId)],
);
