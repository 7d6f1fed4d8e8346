-- Issue 10: webhooks, the optional second channel (Slack, Microsoft Teams, Google Chat incoming webhooks).
-- One row per (event, kind of notice, hook): an escalation that reached four people is posted once per
-- hook of its district, not four times. The notifier creates the rows from the outbox (marking each outbox
-- row hooked_at, whether or not its district has hooks), then delivers them like the outbox: claimed
-- with SKIP LOCKED and a lease on next_attempt_at, retried with capped backoff, parked with the reason.
-- The URLs are not here: they are secrets, kept in the operator's PLCFLOW_WEBHOOKS_FILE.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS hooked_at timestamptz;
-- Rows written before webhooks existed count as seen: a hook configured later posts from then on,
-- never a backlog of old escalations.
UPDATE outbox SET hooked_at = now() WHERE hooked_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_unhooked_idx ON outbox (id) WHERE hooked_at IS NULL;

CREATE TABLE IF NOT EXISTS webhook_posts (
    id              bigserial   PRIMARY KEY,
    stream_id       text        NOT NULL,
    version         integer     NOT NULL,
    kind            text        NOT NULL,
    district_id     text        NOT NULL,
    hook            text        NOT NULL,  -- the hook's name in PLCFLOW_WEBHOOKS_FILE, never its URL
    item            jsonb       NOT NULL,  -- names, step, rung, person ids: never an address or evidence
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,  -- the district's send hours: never on a closed day
    last_error      text,
    parked_at       timestamptz,
    sent_at         timestamptz,
    UNIQUE (stream_id, version, kind, district_id, hook),
    FOREIGN KEY (stream_id, version) REFERENCES events (stream_id, version)
);
CREATE INDEX IF NOT EXISTS webhook_posts_due_idx ON webhook_posts (next_attempt_at, id)
    WHERE sent_at IS NULL AND parked_at IS NULL;
