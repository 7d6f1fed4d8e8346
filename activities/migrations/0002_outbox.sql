-- Notifications to send, written in the same transaction as the event that raised them.
CREATE TABLE IF NOT EXISTS outbox (
    id          bigserial   PRIMARY KEY,
    stream_id   text        NOT NULL,
    version     integer     NOT NULL,
    recipient   text        NOT NULL,
    kind        text        NOT NULL,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    UNIQUE (stream_id, version, recipient, kind),
    FOREIGN KEY (stream_id, version) REFERENCES events (stream_id, version)
);
CREATE INDEX IF NOT EXISTS outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
