-- Issue 11 ("My work"): what a person owes, found without asking every workflow.
--
-- Who is on each team, so a person's "My work" page finds their teams without asking
-- every workflow. One row per (team, person, role): member, facilitator or principal. Built from
-- TeamRegistered and the roster events (issue 9); backfilled here from the log: for each person
-- and role, the last event that names them decides whether they hold it.
CREATE TABLE IF NOT EXISTS team_people (
    team_id   text NOT NULL,
    person_id text NOT NULL,
    role      text NOT NULL CHECK (role IN ('member', 'facilitator', 'principal')),
    PRIMARY KEY (team_id, person_id, role)
);
CREATE INDEX IF NOT EXISTS team_people_person_idx ON team_people (person_id);

INSERT INTO team_people (team_id, person_id, role)
SELECT team_id, person_id, role FROM (
    SELECT DISTINCT ON (team_id, person_id, role) team_id, person_id, role, holds FROM (
        SELECT e.stream_id, substr(e.stream_id, 6) AS team_id, n.person_id, n.role, n.holds, e.position, n.ord
          FROM events e
          CROSS JOIN LATERAL (
              SELECT m.value AS person_id, 'member' AS role, true AS holds, 0 AS ord
                FROM jsonb_array_elements_text(e.data->'team'->'members') m WHERE e.type = 'TeamRegistered'
              UNION ALL SELECT e.data->'team'->>'facilitator', 'facilitator', true, 0 WHERE e.type = 'TeamRegistered'
              UNION ALL SELECT e.data->'team'->>'principal', 'principal', true, 0 WHERE e.type = 'TeamRegistered'
              UNION ALL SELECT e.data->>'member', 'member', true, 0 WHERE e.type = 'MemberAdded'
              UNION ALL SELECT e.data->>'member', 'member', false, 0 WHERE e.type = 'MemberRemoved'
              UNION ALL SELECT e.data->>'leaving', 'member', false, 0 WHERE e.type = 'MemberReplaced'
              UNION ALL SELECT e.data->>'joining', 'member', true, 1 WHERE e.type = 'MemberReplaced'
              UNION ALL SELECT e.data->>'was', 'facilitator', false, 0 WHERE e.type = 'FacilitatorChanged'
              UNION ALL SELECT e.data->>'facilitator', 'facilitator', true, 1 WHERE e.type = 'FacilitatorChanged'
              UNION ALL SELECT e.data->>'was', 'principal', false, 0 WHERE e.type = 'PrincipalChanged'
              UNION ALL SELECT e.data->>'principal', 'principal', true, 1 WHERE e.type = 'PrincipalChanged'
          ) n
         WHERE e.stream_id LIKE 'team-%' AND n.person_id IS NOT NULL
    ) named
    ORDER BY team_id, person_id, role, position DESC, ord DESC
) latest
WHERE holds
ON CONFLICT DO NOTHING;

-- Sign-in finds a person by the identity provider's email claim, whatever its case; "My work" finds
-- the escalations that reached a person.
CREATE INDEX IF NOT EXISTS person_emails_email_idx ON person_emails (lower(email));
CREATE INDEX IF NOT EXISTS open_escalations_reached_idx ON open_escalations USING gin (reached);

-- Recommendations waiting for a team's principal (seed 002: the math team's went to the principal):
-- proposed and not yet approved or rejected. Backfilled from the log.
CREATE TABLE IF NOT EXISTS pending_recommendations (
    team_id           text NOT NULL,
    recommendation_id text NOT NULL,
    summary           text NOT NULL,
    proposed_by       text NOT NULL,
    proposed_at       timestamptz NOT NULL,
    PRIMARY KEY (team_id, recommendation_id)
);

INSERT INTO pending_recommendations (team_id, recommendation_id, summary, proposed_by, proposed_at)
SELECT substr(p.stream_id, 6), p.data->>'recommendation_id', p.data->>'summary', p.data->>'by', (p.data->>'at')::timestamptz
  FROM events p
 WHERE p.type = 'RecommendationProposed' AND p.stream_id LIKE 'team-%'
   AND NOT EXISTS (SELECT 1 FROM events r WHERE r.stream_id = p.stream_id
                      AND r.type IN ('RecommendationApproved', 'RecommendationRejected', 'TeamRetired')
                      AND (r.type = 'TeamRetired' OR r.data->>'recommendation_id' = p.data->>'recommendation_id'))
ON CONFLICT DO NOTHING;
