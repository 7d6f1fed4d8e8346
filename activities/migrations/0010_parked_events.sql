-- Events the projector could not apply (issue 8, defect 11). The stream's checkpoint
-- moves past a parked event so every other stream keeps projecting; later events of
-- the same stream are parked behind it ("held"), in order, until an operator runs
-- `plcflow projections retry`, which re-projects them and deletes their rows.
CREATE TABLE IF NOT EXISTS parked_events (
    stream_id text NOT NULL,
    version   integer NOT NULL,
    type      text NOT NULL,
    error     text NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (stream_id, version)
);
