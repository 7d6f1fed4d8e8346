"""What a district's teams actually took per step, in school days, from its event log and read models (issue 12, ``--calibrate``).

Each completed step is paired with the step's latest opening before it in the
same team's stream; the school days between them (opened day exclusive,
completed day inclusive, as ``SchoolCalendar.school_days_between`` counts) are
counted in the ``school_days`` read model, on the district's local dates
(``district_time_zones``). Teams are the district's in ``team_status``.
"""

import asyncpg

STEP_DAYS = """
WITH zone AS (SELECT timezone FROM district_time_zones WHERE district_id = $1),
teams AS (SELECT 'team-' || team_id AS stream_id FROM team_status WHERE district_id = $1),
steps AS (
    SELECT e.stream_id, e.version, e.type, e.data->>'step' AS step, (e.occurred_at AT TIME ZONE zone.timezone)::date AS day
      FROM events e JOIN teams USING (stream_id), zone
     WHERE e.type IN ('StepOpened', 'StepCompleted'))
SELECT c.step,
       (SELECT count(*) FROM school_days d WHERE d.district_id = $1 AND d.day > o.day AND d.day <= c.day)::int AS school_days
  FROM steps c
  JOIN LATERAL (SELECT day FROM steps o
                 WHERE o.stream_id = c.stream_id AND o.type = 'StepOpened' AND o.step = c.step AND o.version < c.version
                 ORDER BY o.version DESC LIMIT 1) o ON true
 WHERE c.type = 'StepCompleted'
 ORDER BY c.step, school_days
"""


async def observed_step_days(pool: asyncpg.Pool, district_id: str) -> dict[str, list[int]]:
    """Step -> the school days each completion of it took, in this district."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(STEP_DAYS, district_id)
    out: dict[str, list[int]] = {}
    for r in rows:
        out.setdefault(r["step"], []).append(r["school_days"])
    return out
