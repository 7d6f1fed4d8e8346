-- Issue 10, reminders before a step is due: the notifier reminds the team's members, so the read
-- models now know who is on each team (TeamRegistered, MemberAdded/Removed/Replaced; a person who
-- leaves the district is off every team at once) and how many school days ahead each team's policy
-- reminds (remind_school_days_before_due; [] = off). Backfilled from the log, like 0013.
CREATE TABLE IF NOT EXISTS team_members (
    team_id     text NOT NULL,
    person_id   text NOT NULL,
    district_id text NOT NULL,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX IF NOT EXISTS team_members_person_idx ON team_members (district_id, person_id);

CREATE TABLE IF NOT EXISTS team_reminder_days (
    team_id text PRIMARY KEY,
    days    smallint[] NOT NULL
);

-- A team registered before the key existed has the policy's default, [1, 0].
INSERT INTO team_reminder_days (team_id, days)
SELECT t.team_id, CASE WHEN e.data->'policy' ? 'remind_school_days_before_due'
                       THEN ARRAY(SELECT jsonb_array_elements_text(e.data->'policy'->'remind_school_days_before_due')::smallint)
                       ELSE '{1,0}' END
  FROM team_status t JOIN events e ON e.stream_id = 'team-' || t.team_id AND e.type = 'TeamRegistered'
ON CONFLICT (team_id) DO NOTHING;

-- Each person's last roster event on a team decides whether they are on it.
INSERT INTO team_members (team_id, district_id, person_id)
SELECT t.team_id, t.district_id, last.person
  FROM (SELECT DISTINCT ON (stream_id, person) stream_id, person, present FROM (
            SELECT e.stream_id, m.person, true AS present, e.version
              FROM events e, jsonb_array_elements_text(e.data->'team'->'members') AS m(person)
             WHERE e.type = 'TeamRegistered'
            UNION ALL SELECT stream_id, data->>'member', true, version FROM events WHERE type = 'MemberAdded'
            UNION ALL SELECT stream_id, data->>'member', false, version FROM events WHERE type = 'MemberRemoved'
            UNION ALL SELECT stream_id, data->>'joining', true, version FROM events WHERE type = 'MemberReplaced'
            UNION ALL SELECT stream_id, data->>'leaving', false, version FROM events WHERE type = 'MemberReplaced'
        ) roster ORDER BY stream_id, person, version DESC) last
  JOIN team_status t ON 'team-' || t.team_id = last.stream_id
 WHERE last.present
ON CONFLICT (team_id, person_id) DO NOTHING;
