-- Every school a district's file names, with its name, from the rollout's start (a district's schools are fixed
-- there; a wave launches them later). Pages name a school by it before its adoption opens it: a principal of a
-- standalone team at a school the rollout has not launched yet sees "Demo Middle School", not "demo-ms"
-- (issue 11). Backfilled from the log.
CREATE TABLE IF NOT EXISTS district_schools (
    district_id text NOT NULL,
    school_id   text NOT NULL,
    name        text NOT NULL,
    PRIMARY KEY (district_id, school_id)
);
INSERT INTO district_schools (district_id, school_id, name)
SELECT e.data->'district'->>'district_id', s->>'school_id', s->>'name'
  FROM events e, jsonb_array_elements(e.data->'district'->'schools') s
 WHERE e.type = 'RolloutStarted'
ON CONFLICT DO NOTHING;
