-- Bearer tokens for the HTTP API: only a hash is stored; the token is shown once.
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash  text PRIMARY KEY,
    user_id     text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('user', 'supervisor')),
    district_id text NOT NULL,
    school_ids  text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
