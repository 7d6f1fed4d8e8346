-- When each stream's latest event was projected (the database's clock), for measuring projection lag.
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS projected_at timestamptz NOT NULL DEFAULT clock_timestamp();
