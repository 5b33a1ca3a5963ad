// The reviews' tables as drizzle sees them (migration 0017): windows opened by the completing statement, reviews
// written once per side and published only by publish_reviews, reports, and the trust score's inputs and marks.
import { sql } from "drizzle-orm";
import { bigint, jsonb, numeric, pgTable, primaryKey, smallint, text, unique } from "drizzle-orm/pg-core";
import { ReviewSide } from "../lib/enums";
import { createdAt, ts, values } from "./columns";
import { bookings, providers, users } from "./schema";

/** One per completed booking, opened by the completing statement (a trigger, migration 0017). */
export const reviewWindows = pgTable("review_windows", {
  bookingId: bigint("booking_id", { mode: "number" })
    .primaryKey()
    .references(() => bookings.id),
  providerId: bigint("provider_id", { mode: "number" })
    .notNull()
    .references(() => providers.id),
  customerId: bigint("customer_id", { mode: "number" })
    .notNull()
    .references(() => users.id),
  completedAt: ts("completed_at").notNull(),
  requestedAt: ts("requested_at"),
  remindedAt: ts("reminded_at"),
  publishedAt: ts("published_at"),
});

/** Written once per side by submit_review, published only by publish_reviews; never deleted (migration 0017). */
export const reviews = pgTable(
  "reviews",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    bookingId: bigint("booking_id", { mode: "number" })
      .notNull()
      .references(() => reviewWindows.bookingId),
    authorRole: text("author_role", { enum: values(ReviewSide) }).notNull(),
    authorId: bigint("author_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    subjectId: bigint("subject_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    providerId: bigint("provider_id", { mode: "number" })
      .notNull()
      .references(() => providers.id),
    rating: smallint("rating").notNull(),
    punctuality: smallint("punctuality"),
    quality: smallint("quality"),
    behaviour: smallint("behaviour"),
    body: text("body"),
    redactions: jsonb("redactions").$type<Record<string, number>>().notNull().default({}),
    reviewerName: text("reviewer_name"),
    reviewerArea: text("reviewer_area"),
    flags: text("flags").array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
    publishedAt: ts("published_at"),
    hiddenAt: ts("hidden_at"),
    hiddenBy: bigint("hidden_by", { mode: "number" }).references(() => users.id),
    hiddenReason: text("hidden_reason"),
    moderatedAt: ts("moderated_at"),
    replyBody: text("reply_body"),
    replyAt: ts("reply_at"),
    replyEditedAt: ts("reply_edited_at"),
  },
  (t) => [unique().on(t.bookingId, t.authorRole)],
);

export const reviewReports = pgTable(
  "review_reports",
  {
    reviewId: bigint("review_id", { mode: "number" })
      .notNull()
      .references(() => reviews.id),
    reporterId: bigint("reporter_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    reason: text("reason").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.reporterId] })],
);

/** The trust score's inputs as last read, and the score (written by the reputation refresh). */
export const providerReputation = pgTable("provider_reputation", {
  providerId: bigint("provider_id", { mode: "number" })
    .primaryKey()
    .references(() => providers.id, { onDelete: "cascade" }),
  inputs: jsonb("inputs").$type<Record<string, unknown>>().notNull(),
  trustScore: numeric("trust_score", { precision: 5, scale: 2, mode: "number" }).notNull(),
  computedAt: ts("computed_at").notNull(),
});

/** Providers whose trust inputs changed since their score (marked by triggers and publications). */
export const reputationDirty = pgTable("reputation_dirty", {
  providerId: bigint("provider_id", { mode: "number" })
    .primaryKey()
    .references(() => providers.id, { onDelete: "cascade" }),
  seq: bigint("seq", { mode: "number" }).notNull(),
  markedAt: ts("marked_at").notNull().defaultNow(),
});
