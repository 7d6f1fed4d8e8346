-- Each district's time zone (issue 8, defect 12): "school days in the step" counts
-- local dates, so a step opened at 17:30 in Los Angeles opened that day, not the
-- next UTC one. Backfilled from the calendars already in the log.
CREATE TABLE IF NOT EXISTS district_time_zones (
    district_id text PRIMARY KEY,
    timezone    text NOT NULL
);
INSERT INTO district_time_zones (district_id, timezone)
SELECT DISTINCT ON (district_id) district_id, timezone FROM (
    SELECT data->'team'->>'district_id' AS district_id, data->'calendar'->>'timezone' AS timezone, position
      FROM events WHERE type = 'TeamRegistered'
    UNION ALL
    SELECT data->'district'->>'district_id', data->'calendar'->>'timezone', position
      FROM events WHERE type = 'RolloutStarted'
) calendars
WHERE district_id IS NOT NULL AND timezone IS NOT NULL
ORDER BY district_id, position
ON CONFLICT (district_id) DO NOTHING;
