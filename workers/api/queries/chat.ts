// The gateway's chat SQL: who may talk in a booking's conversation, its pages of messages, and moderation. Messages
// and closes are written only by the conversation's object; cases are resolved here, each with its admin_audit row.
import { z } from "zod";
import { CLOSES_AT, MessageRow } from "../../../durable-objects/chat-room/client";
import { ChatCaseAction, ChatCaseStatus, ChatReportKind, ConversationCloseReason } from "../../../lib/enums";
import { bigintNumber, statement, timestamp } from "../../../platform/pg/sql";

const int = z.number().int();

/** A booking's parties and its conversation's state, and whether the caller is suspended. */
export const CONVERSATION_ACCESS = statement({
  params: { booking_id: int, user_id: int, open_days: z.number() },
  row: z.object({
    customer_id: bigintNumber,
    provider_user_id: bigintNumber,
    closes_at: timestamp,
    closed_at: timestamp.nullable(),
    closed_reason: ConversationCloseReason.nullable(),
    caller_suspended: z.boolean(),
  }),
  text: `
  SELECT b.customer_id, p.user_id AS provider_user_id, ${CLOSES_AT} AS closes_at, cv.closed_at, cv.closed_reason,
         coalesce((SELECT u.suspended_at IS NOT NULL FROM users u WHERE u.id = :user_id), false) AS caller_suspended
    FROM bookings b JOIN providers p ON p.id = b.provider_id
    LEFT JOIN conversations cv ON cv.booking_id = b.id
   WHERE b.id = :booking_id`,
});

/** One page of a conversation, ascending; one row more than asked tells whether another page follows. */
export const MESSAGES_PAGE = statement({
  params: { booking_id: int, after_seq: int, limit: int },
  row: MessageRow,
  text: `
  SELECT seq, sender_id, text, redacted, client_id, created_at
    FROM messages WHERE booking_id = :booking_id AND seq > :after_seq ORDER BY seq LIMIT :limit + 1`,
});

/** Read marks of both parties. */
export const READ_MARKS = statement({
  params: { booking_id: int },
  row: z.object({ user_id: bigintNumber, seq: int }),
  text: "SELECT user_id, seq FROM chat_reads WHERE booking_id = :booking_id",
});

const CaseRow = z.object({
  id: bigintNumber,
  booking_id: bigintNumber,
  status: ChatCaseStatus,
  resolution: ChatCaseAction.nullable(),
  opened_at: timestamp,
  resolved_at: timestamp.nullable(),
  reports: int,
  kinds: z.array(ChatReportKind),
});
const caseColumns = `
  c.id, c.booking_id, c.status, c.resolution, c.opened_at, c.resolved_at,
  (SELECT count(*)::int FROM chat_reports r WHERE r.case_id = c.id) AS reports,
  (SELECT coalesce(array_agg(DISTINCT r.kind), '{}') FROM chat_reports r WHERE r.case_id = c.id) AS kinds`;

/** The moderation queue, newest first, by status. */
export const CASES = statement({
  params: { status: ChatCaseStatus, before_id: int.nullable(), limit: int },
  row: CaseRow,
  text: `
  SELECT ${caseColumns} FROM chat_cases c
   WHERE c.status = :status AND (:before_id::bigint IS NULL OR c.id < :before_id)
   ORDER BY c.id DESC LIMIT :limit + 1`,
});

/** One case with its booking's parties. */
export const CASE_BY_ID = statement({
  params: { case_id: int },
  row: CaseRow.extend({ customer_id: bigintNumber, provider_user_id: bigintNumber }),
  text: `
  SELECT ${caseColumns}, b.customer_id, p.user_id AS provider_user_id
    FROM chat_cases c JOIN bookings b ON b.id = c.booking_id JOIN providers p ON p.id = b.provider_id
   WHERE c.id = :case_id`,
});

export const CASE_REPORTS = statement({
  params: { case_id: int },
  row: z.object({
    kind: ChatReportKind,
    reporter_id: bigintNumber.nullable(),
    subject_id: bigintNumber,
    seq: int.nullable(),
    reason: z.string().nullable(),
    created_at: timestamp,
  }),
  text: `
  SELECT kind, reporter_id, subject_id, seq, reason, created_at FROM chat_reports WHERE case_id = :case_id ORDER BY id`,
});

/**
 * What a moderator reads: the messages around each reported one (`context` either side) and the latest ones, never
 * more than `limit`. Recorded in admin_audit in the same statement, so no read goes unrecorded.
 */
export const CASE_CONTEXT = statement({
  params: { case_id: int, booking_id: int, admin_id: int, context: int, limit: int },
  row: MessageRow,
  text: `
  WITH audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
    VALUES (:admin_id, 'chat.case.read', 'chat_case', :case_id::bigint::text, jsonb_build_object('booking_id', :booking_id::bigint))
  ), marks AS (
    SELECT seq FROM chat_reports WHERE case_id = :case_id AND seq IS NOT NULL
    UNION SELECT max(seq) FROM messages WHERE booking_id = :booking_id
  )
  SELECT m.seq, m.sender_id, m.text, m.redacted, m.client_id, m.created_at
    FROM messages m
   WHERE m.booking_id = :booking_id
     AND EXISTS (SELECT 1 FROM marks k WHERE m.seq BETWEEN k.seq - :context AND k.seq + :context)
   ORDER BY m.seq LIMIT :limit`,
});

/**
 * Resolves an open case with its admin_audit row, in one statement. A repeat of the same action answers the same
 * case (changed false); the case being resolved already another way answers nothing (a 409).
 */
export const RESOLVE_CASE = statement({
  params: { case_id: int, admin_id: int, action: ChatCaseAction, reason: z.string(), subject_id: int.nullable() },
  row: z.object({ changed: z.boolean(), resolution: ChatCaseAction }),
  text: `
  WITH done AS (
    UPDATE chat_cases SET status = 'resolved', resolution = :action, resolved_by = :admin_id, resolved_at = now()
     WHERE id = :case_id AND status = 'open'
    RETURNING id, resolution
  ), audit AS (
    INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
    SELECT :admin_id, 'chat.case.' || :action::text, 'chat_case', :case_id::bigint::text,
           jsonb_build_object('reason', :reason::text, 'subject_id', :subject_id::bigint)
      FROM done
  )
  SELECT true AS changed, resolution FROM done
  UNION ALL
  SELECT false, resolution FROM chat_cases WHERE id = :case_id AND status = 'resolved' AND resolution = :action
     AND NOT EXISTS (SELECT 1 FROM done)`,
});

/** Suspends a user (a moderator's action); sessions are revoked separately in the same request. */
export const SUSPEND_USER = statement({
  params: { user_id: int },
  row: z.object({ suspended_at: timestamp }),
  text: `
  UPDATE users SET suspended_at = coalesce(suspended_at, now()) WHERE id = :user_id RETURNING suspended_at`,
});
