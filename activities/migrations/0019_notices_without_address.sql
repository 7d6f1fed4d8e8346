-- Issue 10: a district's policy for a notice whose person has no email address (RolloutPolicy
-- notices_without_address, domain.notice_forwarding): 'park' (the default) or 'next_rung'. Read by the notifier
-- beside the district's send hours; set by RolloutStarted's policy. Backfilled from the log: a district
-- started before the key existed parks, as it did.
ALTER TABLE district_time_zones ADD COLUMN IF NOT EXISTS notices_without_address text NOT NULL DEFAULT 'park'
    CHECK (notices_without_address IN ('park', 'next_rung'));
UPDATE district_time_zones z SET notices_without_address = e.data->'policy'->>'notices_without_address'
  FROM events e
 WHERE e.type = 'RolloutStarted' AND e.data->'district'->>'district_id' = z.district_id
   AND e.data->'policy' ? 'notices_without_address';
