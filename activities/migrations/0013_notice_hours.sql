-- Issue 10: when a district's notices may go out. Nothing is sent on a closed day; a notice due
-- then waits for the district's notify_at on its next school day, so the notifier needs each
-- district's notify_at beside its time zone (school_days holds its open days). A rollout's policy
-- sets it; a team registered on its own (no rollout) lends its team policy's. Backfilled from the log.
ALTER TABLE district_time_zones ADD COLUMN IF NOT EXISTS notify_at time;
UPDATE district_time_zones z SET notify_at = c.notify_at FROM (
    SELECT DISTINCT ON (district_id) district_id, notify_at FROM (
        SELECT data->'district'->>'district_id' AS district_id, (data->'policy'->>'notify_at')::time AS notify_at,
               0 AS rank, position
          FROM events WHERE type = 'RolloutStarted'
        UNION ALL
        SELECT data->'team'->>'district_id', (data->'policy'->>'notify_at')::time, 1, position
          FROM events WHERE type = 'TeamRegistered'
    ) policies
    WHERE district_id IS NOT NULL AND notify_at IS NOT NULL
    ORDER BY district_id, rank, position
) c
WHERE z.district_id = c.district_id AND z.notify_at IS NULL;
