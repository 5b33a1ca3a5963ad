// The conversation object's statements. Each is one atomic round trip; the object is the one writer of a
// conversation's messages, so `max(seq) + n` numbers them without a race (messages_seq is the final guard).
import { z } from "zod";
import { ChatReportKind, ConversationCloseReason } from "../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../platform/pg/sql";

const int = z.number().int();

/**
 * When a booking's conversation stops taking messages: `open_days` after the booking ends, or after it was
 * cancelled, declined or expired (its last change). Shared with the gateway's reads so both say the same.
 */
export const CLOSES_AT = `(CASE WHEN b.status IN ('CANCELED', 'DECLINED', 'EXPIRED') THEN b.updated_at ELSE b.end_date END
  + :open_days * interval '1 day')`;

export const MessageRow = z.object({
  seq: int,
  sender_id: bigintNumber,
  text: z.string(),
  redacted: z.boolean(),
  client_id: z.string(),
  created_at: timestamp,
});

/** One message as the object hands it to the batch statement (already redacted). */
export interface Outgoing {
  ord: number;
  sender_id: number;
  client_id: string;
  text: string;
  redaction_count: number;
  redaction_kinds: string[];
  flagged_terms: string[];
}

const SendRow = z.union([
  MessageRow.extend({ ord: int, outcome: z.enum(["stored", "duplicate"]) }),
  z.object({ ord: int, outcome: z.enum(["closed", "no_booking"]) }),
]);
export type SendRow = z.infer<typeof SendRow>;

/**
 * Stores a batch of messages in order, in one statement: each is `stored` (a new seq), `duplicate` (its client_id
 * was stored before: the earlier message), `closed` (the conversation no longer takes messages) or `no_booking`.
 * The window and the close are checked here, at commit, so a booking cancelled a moment ago is seen.
 */
export const SEND_BATCH = statement({
  params: { booking_id: int, batch: z.string(), open_days: z.number() },
  row: SendRow,
  text: `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset(:batch::jsonb) AS i(
      ord int, sender_id bigint, client_id text, text text, redaction_count int, redaction_kinds text[],
      flagged_terms text[])
  ), conv AS (
    SELECT cv.closed_at IS NULL AND now() < ${CLOSES_AT} AS open
      FROM bookings b LEFT JOIN conversations cv ON cv.booking_id = b.id WHERE b.id = :booking_id
  ), existing AS (
    SELECT i.ord, m.seq, m.sender_id, m.text, m.redacted, m.client_id, m.created_at
      FROM input i JOIN messages m
        ON m.booking_id = :booking_id AND m.sender_id = i.sender_id AND m.client_id = i.client_id
  ), fresh AS (
    SELECT i.*, ((SELECT coalesce(max(seq), 0) FROM messages WHERE booking_id = :booking_id)
                 + row_number() OVER (ORDER BY i.ord))::int AS seq
      FROM input i
     WHERE coalesce((SELECT open FROM conv), false) AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord)
  ), opened AS (
    INSERT INTO conversations (booking_id) SELECT :booking_id WHERE EXISTS (SELECT 1 FROM fresh)
    ON CONFLICT DO NOTHING
  ), ins AS (
    INSERT INTO messages (booking_id, seq, sender_id, client_id, text, redacted, redaction_count, redaction_kinds,
                          flagged_terms)
    SELECT :booking_id, seq, sender_id, client_id, text, redaction_count > 0, redaction_count, redaction_kinds,
           flagged_terms
      FROM fresh
    RETURNING seq, sender_id, text, redacted, client_id, created_at
  )
  SELECT f.ord, 'stored' AS outcome, ins.seq, ins.sender_id, ins.text, ins.redacted, ins.client_id, ins.created_at
    FROM ins JOIN fresh f ON f.seq = ins.seq
  UNION ALL
  SELECT ord, 'duplicate', seq, sender_id, text, redacted, client_id, created_at FROM existing
  UNION ALL
  SELECT i.ord, CASE WHEN c.open IS NULL THEN 'no_booking' ELSE 'closed' END,
         NULL, NULL, NULL, NULL, NULL, NULL::timestamptz
    FROM input i LEFT JOIN conv c ON true
   WHERE NOT coalesce(c.open, false) AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord)`,
});

/** What a reconnecting client missed, in order. */
export const MESSAGES_AFTER = statement({
  params: { booking_id: int, after_seq: int, limit: int },
  row: MessageRow,
  text: `
  SELECT seq, sender_id, text, redacted, client_id, created_at
    FROM messages WHERE booking_id = :booking_id AND seq > :after_seq ORDER BY seq LIMIT :limit`,
});

/** A read mark only moves forward, and never past the last message. */
export const MARK_READ = statement({
  params: { booking_id: int, user_id: int, seq: int },
  row: z.object({ seq: int }),
  text: `
  INSERT INTO chat_reads AS r (booking_id, user_id, seq)
  SELECT :booking_id, :user_id,
         least(:seq, (SELECT coalesce(max(seq), 0) FROM messages WHERE booking_id = :booking_id))
  ON CONFLICT (booking_id, user_id) DO UPDATE SET seq = greatest(r.seq, excluded.seq), updated_at = now()
  RETURNING seq`,
});

/**
 * Opens (or joins) the conversation's case with one report: a participant's report or block, or the system's
 * strike. A repeat of the same report is the same row. Answers the case id and whether the case is new.
 */
export const FILE_REPORT = statement({
  params: {
    booking_id: int,
    kind: ChatReportKind,
    reporter_id: int.nullable(),
    subject_id: int,
    seq: int.nullable(),
    reason: z.string().nullable(),
  },
  row: z.object({ case_id: bigintNumber, opened: z.boolean() }),
  text: `
  WITH opened AS (
    INSERT INTO chat_cases (booking_id) VALUES (:booking_id)
    ON CONFLICT (booking_id) WHERE status = 'open' DO NOTHING
    RETURNING id
  ), the_case AS (
    SELECT id, true AS opened FROM opened
    UNION ALL
    SELECT id, false FROM chat_cases WHERE booking_id = :booking_id AND status = 'open'
    LIMIT 1
  ), filed AS (
    INSERT INTO chat_reports (case_id, booking_id, kind, reporter_id, subject_id, seq, reason)
    SELECT id, :booking_id, :kind, :reporter_id, :subject_id, :seq, :reason FROM the_case
    ON CONFLICT DO NOTHING
  )
  SELECT id AS case_id, opened FROM the_case`,
});

/** Closes the conversation for both sides (a block, or a moderator); the first close is the one kept. */
export const CLOSE_CONVERSATION = statement({
  params: { booking_id: int, closed_by: int, reason: ConversationCloseReason },
  row: z.object({ closed_at: timestamp, closed_reason: ConversationCloseReason }),
  text: `
  INSERT INTO conversations AS c (booking_id, closed_at, closed_by, closed_reason)
  VALUES (:booking_id, now(), :closed_by, :reason)
  ON CONFLICT (booking_id) DO UPDATE
    SET closed_at = coalesce(c.closed_at, excluded.closed_at),
        closed_by = coalesce(c.closed_by, excluded.closed_by),
        closed_reason = coalesce(c.closed_reason, excluded.closed_reason)
  RETURNING closed_at, closed_reason`,
});

/** How many of a sender's messages in this conversation had contact details removed. */
export const STRIKES = statement({
  params: { booking_id: int, sender_id: int },
  row: z.object({ strikes: int }),
  text: `
  SELECT count(*)::int AS strikes FROM messages WHERE booking_id = :booking_id AND sender_id = :sender_id AND redacted`,
});
