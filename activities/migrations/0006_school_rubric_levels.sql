-- A school's rating scale, so views can rank its rubric levels and chart the trend.
ALTER TABLE school_status ADD COLUMN IF NOT EXISTS rubric_levels jsonb NOT NULL DEFAULT '[]';
