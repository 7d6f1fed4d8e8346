-- Read models for supervisors, built from the event log by the projector.
-- A global position orders the log for the projector's cursor; per-stream
-- checkpoints make applying an event idempotent (at most once per projection).
ALTER TABLE events ADD COLUMN IF NOT EXISTS position bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX IF NOT EXISTS events_position_idx ON events (position);

CREATE TABLE IF NOT EXISTS projection_checkpoints (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);

CREATE TABLE IF NOT EXISTS projection_cursor (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    position bigint  NOT NULL
);

CREATE TABLE IF NOT EXISTS team_status (
    team_id        text PRIMARY KEY,
    school_id      text NOT NULL,
    district_id    text NOT NULL,
    name           text NOT NULL,
    cycle          integer NOT NULL DEFAULT 0,
    step           text,
    step_opened_at timestamptz,
    due_on         date,
    paused         boolean NOT NULL DEFAULT false,
    escalation_id  text,
    escalation_level text,
    version        integer NOT NULL
);
CREATE INDEX IF NOT EXISTS team_status_school_idx ON team_status (school_id);
CREATE INDEX IF NOT EXISTS team_status_district_idx ON team_status (district_id);

CREATE TABLE IF NOT EXISTS school_status (
    school_id   text PRIMARY KEY,
    district_id text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    area        text NOT NULL,
    term        text,
    version     integer NOT NULL
);

CREATE TABLE IF NOT EXISTS district_status (
    district_id text PRIMARY KEY,
    name        text NOT NULL,
    phase       text,
    due_on      date,
    school_year text,
    version     integer NOT NULL
);

-- Every open escalation, whatever it escalates: a team's step, a school's clock, a rollout phase.
CREATE TABLE IF NOT EXISTS open_escalations (
    escalation_id text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('team', 'school', 'district')),
    stream_id   text NOT NULL,
    team_id     text,
    school_id   text,
    district_id text,
    subject     text NOT NULL,
    level       text NOT NULL,
    reached     jsonb NOT NULL,
    reason      text NOT NULL,
    raised_on   date NOT NULL,
    raised_at   timestamptz NOT NULL,
    held_until  date,
    hold        text
);
CREATE INDEX IF NOT EXISTS open_escalations_district_idx ON open_escalations (district_id, level);

CREATE TABLE IF NOT EXISTS rubric_results (
    school_id   text NOT NULL,
    term        text NOT NULL,
    dimension   text NOT NULL,
    level       text NOT NULL,
    assessed_on date NOT NULL,
    PRIMARY KEY (school_id, term, dimension)
);
