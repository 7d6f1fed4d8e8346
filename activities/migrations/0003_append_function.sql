-- One round trip per append: the whole rule set of EventStore.append in one
-- statement (lock the stream, refuse a gap, refuse different content at a
-- stored version, insert the new tail and its outbox rows).
-- SQLSTATE PLC01 = gap, PLC02 = conflict; the message is the user-facing text.
CREATE OR REPLACE FUNCTION plcflow_append(
    p_stream text, p_first integer, p_types text[], p_data jsonb[], p_occurred timestamptz[],
    n_versions integer[], n_recipients text[], n_kinds text[], n_payloads jsonb[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_current integer;
    v_conflict record;
    v_inserted integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
    SELECT coalesce(max(version), 0) INTO v_current FROM events WHERE stream_id = p_stream;
    IF p_first > v_current + 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'PLC01',
            MESSAGE = format('stream %s is at version %s; cannot append version %s', p_stream, v_current, p_first);
    END IF;
    SELECT e.version, e.type INTO v_conflict
      FROM unnest(p_types, p_data, p_occurred) WITH ORDINALITY AS b(type, data, occurred_at, i)
      JOIN events e ON e.stream_id = p_stream AND e.version = p_first + b.i::integer - 1
     WHERE (e.type, e.data, e.occurred_at) IS DISTINCT FROM (b.type, b.data, b.occurred_at)
     ORDER BY e.version LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PLC02',
            MESSAGE = format('stream %s version %s already holds a different %s event', p_stream, v_conflict.version, v_conflict.type);
    END IF;
    INSERT INTO events (stream_id, version, type, data, occurred_at)
    SELECT p_stream, p_first + b.i::integer - 1, b.type, b.data, b.occurred_at
      FROM unnest(p_types, p_data, p_occurred) WITH ORDINALITY AS b(type, data, occurred_at, i)
     WHERE p_first + b.i::integer - 1 > v_current;
    GET DIAGNOSTICS v_inserted = ROW_COUNT;
    INSERT INTO outbox (stream_id, version, recipient, kind, payload)
    SELECT p_stream, n.version, n.recipient, n.kind, n.payload
      FROM unnest(n_versions, n_recipients, n_kinds, n_payloads) AS n(version, recipient, kind, payload)
    ON CONFLICT (stream_id, version, recipient, kind) DO NOTHING;
    RETURN v_inserted;
END $$;
