-- Issue 13: the projector wakes on LISTEN/NOTIFY instead of waiting for its next poll.
-- A statement-level trigger, so every way an event reaches the log (plcflow_append, a bulk load)
-- notifies; pg_notify is transactional, so the projector is told only once the events are committed,
-- and one notification per channel and payload survives per transaction (a batch is one wake).
-- The payload is empty: the projector reads the log from its cursor, it needs no more than "look".
CREATE OR REPLACE FUNCTION plcflow_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plcflow_events', '');
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION plcflow_events_notify();
