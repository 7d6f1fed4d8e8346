-- Issues 10 and 11 each added a read model of who is on each team: team_people (0014: team, person, role; the
-- web app's "My work") and team_members (0016: the members, for reminders; it also took a person who leaves the
-- district off every team of it at once). One is kept: team_people, which now follows PersonLeft too (every
-- role, every team of the district), and serves reminders (its members) and the next rung of a notice
-- (its facilitator and principal). The district comes from team_status.
--
-- A database upgrading keeps its people: team_people is recomputed from the log as the projector now folds it
-- (for each team, person and role, the last event that names them decides, a PersonLeft naming them in the
-- team's district included), then team_members goes. A later projection of the same events sets the same rows.
DELETE FROM team_people;

INSERT INTO team_people (team_id, person_id, role)
SELECT team_id, person_id, role FROM (
    SELECT DISTINCT ON (team_id, person_id, role) team_id, person_id, role, holds FROM (
        SELECT substr(e.stream_id, 6) AS team_id, n.person_id, n.role, n.holds, e.position, n.ord
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
        UNION ALL
        -- A person who left the district, off every team registered in it by then, in every role.
        SELECT substr(t.stream_id, 6), l.data->>'person_id', r.role, false, l.position, 0
          FROM events l
          JOIN events t ON t.type = 'TeamRegistered' AND t.position < l.position
                       AND 'district-' || (t.data->'team'->>'district_id') = l.stream_id
          CROSS JOIN unnest(ARRAY['member', 'facilitator', 'principal']) AS r(role)
         WHERE l.type = 'PersonLeft'
    ) named
    ORDER BY team_id, person_id, role, position DESC, ord DESC
) latest
WHERE holds
ON CONFLICT DO NOTHING;

DROP TABLE IF EXISTS team_members;
