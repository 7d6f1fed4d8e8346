-- Issue 10 (core): what delivering the outbox needs. A row is due when unsent, not parked and
-- next_attempt_at has come; a claim pushes next_attempt_at out by a lease, so a second notifier
-- skips it and a crashed one's rows come back after the lease. message_id is fixed at the first
-- send, so a resend after a crash carries the same Message-ID. A parked row never blocks others.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT '-infinity';
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS message_id text;
CREATE INDEX IF NOT EXISTS outbox_due_idx ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND parked_at IS NULL;

-- Each district person's work address (a read model: RolloutStarted's people, PersonAdded, RolesChanged).
CREATE TABLE IF NOT EXISTS person_emails (
    district_id text NOT NULL,
    person_id   text NOT NULL,
    email       text NOT NULL,
    PRIMARY KEY (district_id, person_id)
);
