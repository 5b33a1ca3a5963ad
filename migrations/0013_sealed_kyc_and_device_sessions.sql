-- KYC documents sealed at submit: the gateway copies each upload server-side to a key no upload URL was issued
-- for and records it here ({nid_front: {key, etag, size, content_type}, ...}); admins' links point only at these.
-- NULL for submissions made before sealing existed: the review page refuses those (ask the provider to resubmit).
ALTER TABLE kyc_submissions ADD COLUMN sealed jsonb;

-- Push devices belong to the session that registered them: ending that session (logout, revoke, logout-all)
-- unregisters them, so a shared phone can pass to another account. last_seen_at orders the per-user cap
-- (lib/policy.ts DEVICES_PER_USER): registering one more drops the least recently seen.
ALTER TABLE user_devices
  ADD COLUMN session_id uuid REFERENCES auth_sessions (id) ON DELETE SET NULL,
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX user_devices_session ON user_devices (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX user_devices_user_seen ON user_devices (user_id, last_seen_at DESC);
