// The chat tables (migration 0016): written by each conversation's object (messages, reads, closes) and moderation.
import { sql } from "drizzle-orm";
import { bigint, boolean, integer, pgTable, primaryKey, text, unique } from "drizzle-orm/pg-core";
import { ChatCaseAction, ChatCaseStatus, ChatReportKind, ConversationCloseReason } from "../lib/enums";
import { createdAt, ts, updatedAt, values } from "./columns";
import { bookings, users } from "./schema";

export const conversations = pgTable("conversations", {
  bookingId: bigint("booking_id", { mode: "number" })
    .primaryKey()
    .references(() => bookings.id),
  closedAt: ts("closed_at"),
  closedBy: bigint("closed_by", { mode: "number" }).references(() => users.id),
  closedReason: text("closed_reason", { enum: values(ConversationCloseReason) }),
  createdAt: createdAt(),
});

export const messages = pgTable(
  "messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    bookingId: bigint("booking_id", { mode: "number" })
      .notNull()
      .references(() => bookings.id),
    seq: integer("seq").notNull(),
    senderId: bigint("sender_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    clientId: text("client_id").notNull(),
    text: text("text").notNull(),
    redacted: boolean("redacted").notNull().default(false),
    redactionCount: integer("redaction_count").notNull().default(0),
    redactionKinds: text("redaction_kinds").array().notNull().default(sql`'{}'`),
    flaggedTerms: text("flagged_terms").array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.bookingId, t.seq), unique().on(t.bookingId, t.senderId, t.clientId)],
);

export const chatReads = pgTable(
  "chat_reads",
  {
    bookingId: bigint("booking_id", { mode: "number" })
      .notNull()
      .references(() => bookings.id),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    seq: integer("seq").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.bookingId, t.userId] })],
);

export const chatCases = pgTable("chat_cases", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  bookingId: bigint("booking_id", { mode: "number" })
    .notNull()
    .references(() => bookings.id),
  status: text("status", { enum: values(ChatCaseStatus) })
    .notNull()
    .default("open"),
  resolution: text("resolution", { enum: values(ChatCaseAction) }),
  resolvedBy: bigint("resolved_by", { mode: "number" }).references(() => users.id),
  resolvedAt: ts("resolved_at"),
  openedAt: ts("opened_at").notNull().defaultNow(),
  updatedAt: updatedAt(),
});

export const chatReports = pgTable("chat_reports", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  caseId: bigint("case_id", { mode: "number" })
    .notNull()
    .references(() => chatCases.id),
  bookingId: bigint("booking_id", { mode: "number" })
    .notNull()
    .references(() => bookings.id),
  kind: text("kind", { enum: values(ChatReportKind) }).notNull(),
  reporterId: bigint("reporter_id", { mode: "number" }).references(() => users.id),
  subjectId: bigint("subject_id", { mode: "number" })
    .notNull()
    .references(() => users.id),
  seq: integer("seq"),
  reason: text("reason"),
  createdAt: createdAt(),
});
