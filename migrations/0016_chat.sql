-- Masked chat: one conversation per booking, its messages (only the redacted text is ever stored), read marks, and
-- the moderation cases that reports, blocks and the redactor's strikes open. Users can be suspended by moderators.

-- A conversation exists from the booking's creation; this row appears with its first message, block or close.
CREATE TABLE conversations (
  booking_id     bigint PRIMARY KEY REFERENCES bookings (id),
  closed_at      timestamptz,
  closed_by      bigint REFERENCES users (id),
  closed_reason  text CHECK (closed_reason IN ('block', 'moderation')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT conversations_closed_consistent CHECK ((closed_at IS NULL) = (closed_reason IS NULL))
);

-- The seed's messages table. seq numbers a conversation's messages 1, 2, 3 … (the conversation's object is the one
-- writer); client_id makes a resend the same message. Append-only: nothing rewrites what was said.
CREATE TABLE messages (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id       bigint NOT NULL REFERENCES bookings (id),
  seq              int NOT NULL CHECK (seq > 0),
  sender_id        bigint NOT NULL REFERENCES users (id),
  client_id        text NOT NULL CHECK (client_id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
  -- Redacted text: a marker may be longer than what it replaced, hence more room than the 2 000 a sender may type.
  text             text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  redacted         boolean NOT NULL DEFAULT false,
  redaction_count  int NOT NULL DEFAULT 0 CHECK (redaction_count >= 0),
  redaction_kinds  text[] NOT NULL DEFAULT '{}',
  flagged_terms    text[] NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT messages_seq UNIQUE (booking_id, seq),
  CONSTRAINT messages_client_id UNIQUE (booking_id, sender_id, client_id),
  CONSTRAINT messages_redaction_consistent CHECK (redacted = (redaction_count > 0))
);
CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
-- The redactor's strikes per sender: counted when deciding whether repeated contact sharing opens a case.
CREATE INDEX messages_redacted_sender ON messages (booking_id, sender_id) WHERE redacted;

-- How far each participant has read.
CREATE TABLE chat_reads (
  booking_id  bigint NOT NULL REFERENCES bookings (id),
  user_id     bigint NOT NULL REFERENCES users (id),
  seq         int NOT NULL CHECK (seq >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (booking_id, user_id)
);

-- A case puts a conversation in front of moderators; at most one is open per conversation, and every report,
-- block or strike while it is open joins it. Operators read the conversation only through a case.
CREATE TABLE chat_cases (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id   bigint NOT NULL REFERENCES bookings (id),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution   text CHECK (resolution IN ('warn', 'suspend', 'close', 'dismiss')),
  resolved_by  bigint REFERENCES users (id),
  resolved_at  timestamptz,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_cases_resolution_consistent CHECK (
    (status = 'open' AND resolution IS NULL AND resolved_at IS NULL) OR
    (status = 'resolved' AND resolution IS NOT NULL AND resolved_at IS NOT NULL AND resolved_by IS NOT NULL))
);
CREATE UNIQUE INDEX chat_cases_one_open ON chat_cases (booking_id) WHERE status = 'open';
CREATE INDEX chat_cases_queue ON chat_cases (status, id DESC);
CREATE TRIGGER chat_cases_updated_at BEFORE UPDATE ON chat_cases FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Why a case exists: each report, block or system strike, with the message it points at. reporter_id is null for
-- the system's own; subject_id is who the report is about.
CREATE TABLE chat_reports (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id      bigint NOT NULL REFERENCES chat_cases (id),
  booking_id   bigint NOT NULL REFERENCES bookings (id),
  kind         text NOT NULL CHECK (kind IN ('report', 'block', 'contact_sharing', 'flagged_terms')),
  reporter_id  bigint REFERENCES users (id),
  subject_id   bigint NOT NULL REFERENCES users (id),
  seq          int CHECK (seq > 0),
  reason       text CHECK (length(reason) <= 500),
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- A report repeated (a retry, a second tap) is the same report.
CREATE UNIQUE INDEX chat_reports_once ON chat_reports
  (case_id, kind, coalesce(reporter_id, 0), subject_id, coalesce(seq, 0));
CREATE INDEX chat_reports_case ON chat_reports (case_id, id);

-- A moderator's suspension: the user's sessions are revoked and no new ones start until it is lifted.
ALTER TABLE users ADD COLUMN suspended_at timestamptz;
