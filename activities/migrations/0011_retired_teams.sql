-- A school can retire a team, or merge it into another (issue 9, "Teams over time"). Its row stays,
-- marked retired, so supervisors see what became of it; it no longer counts as an active team.
ALTER TABLE team_status ADD COLUMN IF NOT EXISTS retired_at timestamptz;
ALTER TABLE team_status ADD COLUMN IF NOT EXISTS merged_into text;
