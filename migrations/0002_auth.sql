-- Identity: one session per device login (a refresh-token family) and the rotating refresh tokens in it.

CREATE TABLE auth_sessions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id     text NOT NULL CHECK (length(device_id) BETWEEN 1 AND 128),
  platform      text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
  device_name   text CHECK (length(device_name) <= 120),
  -- Set when the app proved a keystore key at login: refreshes then need a DPoP proof by that key (RFC 9449).
  device_jkt    text,
  device_key    jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  revoke_reason text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;

-- Only SHA-256 hashes of the opaque 256-bit tokens are stored.
CREATE TABLE refresh_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash   text NOT NULL UNIQUE,
  family_id    uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id    text NOT NULL,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  replaced_by  bigint REFERENCES refresh_tokens (id)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
