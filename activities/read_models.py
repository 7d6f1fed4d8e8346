"""Queries over the read models: what supervisors ask, answered without scanning workflows."""

import json
from datetime import date, datetime, time

import asyncpg

_DATES = frozenset({date, datetime, time})  # what asyncpg returns for date, timestamptz, time


def _rows(rows) -> list[dict]:
    # An exact type test, not hasattr(v, "isoformat"): issue 13 measured a third of a 1,000-row read here.
    return [{k: (v.isoformat() if type(v) in _DATES else v) for k, v in r.items()} for r in rows]


def _latest_levels(history: list[dict]) -> list[dict]:
    """Each dimension's latest level, by dimension: ``history`` is in assessment order, so the last row wins."""
    latest = {h["dimension"]: h for h in history}
    return [{"dimension": d, "level": h["level"], "term": h["term"], "assessed_on": h["assessed_on"]}
            for d, h in sorted(latest.items())]


# School days a team has spent in its open step: counted on its district's calendar, to today, both dates
# taken in the district's time zone (issue 8, defect 12: UTC dates were a day off every evening in the Americas).
IN_STEP = """(SELECT count(*) FROM school_days d, district_time_zones z
               WHERE d.district_id = t.district_id AND z.district_id = t.district_id
                 AND d.day > (t.step_opened_at AT TIME ZONE z.timezone)::date
                 AND d.day <= (now() AT TIME ZONE z.timezone)::date) AS school_days_in_step"""


class ReadModels:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def team(self, team_id: str) -> dict | None:
        row = await self._pool.fetchrow(f"SELECT t.*, {IN_STEP} FROM team_status t WHERE team_id = $1", team_id)
        return _rows([row])[0] if row else None

    async def teams(self, district_id: str, school_ids: tuple[str, ...] = ()) -> list[dict]:
        rows = await self._pool.fetch(
            f"""SELECT t.*, {IN_STEP} FROM team_status t
                WHERE district_id = $1 AND (cardinality($2::text[]) = 0 OR school_id = ANY($2)) ORDER BY school_id, team_id""",
            district_id, list(school_ids),
        )
        return _rows(rows)

    async def school(self, school_id: str) -> dict | None:
        row = await self._pool.fetchrow("SELECT * FROM school_status WHERE school_id = $1", school_id)
        return _rows([row])[0] if row else None

    async def rubric_history(self, school_id: str) -> list[dict]:
        rows = await self._pool.fetch(
            "SELECT term, dimension, level, assessed_on FROM rubric_results WHERE school_id = $1 ORDER BY assessed_on, dimension",
            school_id,
        )
        return _rows(rows)

    async def school_summary(self, school_id: str) -> dict | None:
        """Three round trips, not five (issue 13: under load each is a wait): the school with its teams per step,
        its rubric history (the latest level of each dimension is read from it), and what is stalled there."""
        row = await self._pool.fetchrow(
            """SELECT s.*, g.step_names_, g.step_teams_
                 FROM school_status s,
                      LATERAL (SELECT array_agg(step ORDER BY step) AS step_names_, array_agg(teams ORDER BY step) AS step_teams_
                                 FROM (SELECT CASE WHEN retired_at IS NOT NULL THEN 'retired'
                                                   ELSE coalesce(step, 'between cycles') END AS step, count(*) AS teams
                                         FROM team_status WHERE school_id = s.school_id GROUP BY 1) steps) g
                WHERE s.school_id = $1""",
            school_id,
        )
        if row is None:
            return None
        school = _rows([row])[0]
        steps = zip(school.pop("step_names_") or (), school.pop("step_teams_") or ())
        history = await self.rubric_history(school_id)
        return {
            **school,
            "teams_per_step": dict(steps),
            "open_escalations": await self.stalled(school["district_id"], (school_id,)),
            "rubric_levels": _latest_levels(history),
            "rubric_history": history,
            "rubric_scale": school.get("rubric_levels", []),
        }

    async def district_summary(self, district_id: str, school_ids: tuple[str, ...] = ()) -> dict | None:
        row = await self._pool.fetchrow("SELECT * FROM district_status WHERE district_id = $1", district_id)
        if row is None:
            return None
        schools = await self._pool.fetch(
            """SELECT s.school_id, s.name, s.level, s.area, count(t.team_id) FILTER (WHERE t.retired_at IS NULL) AS teams,
                      count(t.escalation_id) AS teams_escalated
                 FROM school_status s LEFT JOIN team_status t ON t.school_id = s.school_id
                WHERE s.district_id = $1 AND (cardinality($2::text[]) = 0 OR s.school_id = ANY($2))
                GROUP BY s.school_id ORDER BY s.school_id""",
            district_id, list(school_ids),
        )
        return {**_rows([row])[0], "schools": _rows(schools), "open_escalations": len(await self.stalled(district_id, school_ids))}

    async def stalled(self, district_id: str, school_ids: tuple[str, ...] = ()) -> list[dict]:
        """What is stalled in a district, where, and since when: highest rung first, oldest first.

        ``reached`` comes as text and is parsed in one ``json.loads`` for all rows (issue 13: decoding it row by
        row was a fifth of a 1,000-row read)."""
        rows = await self._pool.fetch(
            """SELECT escalation_id, kind, team_id, school_id, district_id, subject, level, reached::text AS reached,
                      reason, raised_on, raised_at, held_until, hold
                 FROM open_escalations
                WHERE district_id = $1 AND (cardinality($2::text[]) = 0 OR school_id = ANY($2))
                ORDER BY CASE level WHEN 'coalition' THEN 0 WHEN 'district_admin' THEN 1 WHEN 'principal' THEN 2
                                    WHEN 'facilitator' THEN 3 ELSE 4 END, raised_at""",
            district_id, list(school_ids),
        )
        out = _rows(rows)
        for item, reached in zip(out, json.loads(f"[{','.join(r['reached'] for r in rows)}]")):
            item["reached"] = reached
        return out

    # --- a person's own view (issue 11: the web app) ---

    async def people_by_email(self, email: str, district_ids: tuple[str, ...] = ()) -> list[dict]:
        """Who an identity provider's ``email`` claim names: (district, person) pairs, in the given districts if any."""
        rows = await self._pool.fetch(
            """SELECT district_id, person_id FROM person_emails WHERE lower(email) = lower($1)
                AND (cardinality($2::text[]) = 0 OR district_id = ANY($2)) ORDER BY district_id""",
            email, list(district_ids),
        )
        return _rows(rows)

    async def my_teams(self, district_id: str, person_id: str) -> list[dict]:
        """The active teams a person is on, with their roles there: the step each is on, soonest due first."""
        rows = await self._pool.fetch(
            f"""SELECT t.*, {IN_STEP}, array_agg(p.role ORDER BY p.role) AS roles
                  FROM team_people p JOIN team_status t ON t.team_id = p.team_id
                 WHERE p.person_id = $2 AND t.district_id = $1 AND t.retired_at IS NULL
                 GROUP BY t.team_id ORDER BY t.due_on NULLS LAST, t.team_id""",
            district_id, person_id,
        )
        return _rows(rows)

    async def escalations_reaching(self, district_id: str, person_id: str) -> list[dict]:
        """Open escalations that reached a person (at any rung so far), oldest first."""
        rows = await self._pool.fetch(
            """SELECT e.escalation_id, e.kind, e.team_id, t.name AS team_name, e.school_id, e.subject, e.level, e.reason,
                      e.raised_on, e.raised_at, e.held_until, e.hold
                 FROM open_escalations e LEFT JOIN team_status t ON t.team_id = e.team_id
                WHERE e.district_id = $1 AND e.reached ? $2 ORDER BY e.raised_at""",
            district_id, person_id,
        )
        return _rows(rows)

    async def recommendations_waiting(self, district_id: str, person_id: str) -> list[dict]:
        """Recommendations waiting for a person as their team's principal, oldest first; ``proposed_on`` is the
        district's local date (a recommendation made at 17:30 in Los Angeles was made that day, not the next UTC one)."""
        rows = await self._pool.fetch(
            """SELECT r.team_id, t.name AS team_name, r.recommendation_id, r.summary, r.proposed_by, r.proposed_at,
                      (r.proposed_at AT TIME ZONE coalesce(z.timezone, 'UTC'))::date AS proposed_on
                 FROM pending_recommendations r
                 JOIN team_people p ON p.team_id = r.team_id AND p.person_id = $2 AND p.role = 'principal'
                 JOIN team_status t ON t.team_id = r.team_id AND t.district_id = $1
                 LEFT JOIN district_time_zones z ON z.district_id = $1
                ORDER BY r.proposed_at""",
            district_id, person_id,
        )
        return _rows(rows)

    async def team_roles(self, team_id: str, person_id: str) -> list[str]:
        rows = await self._pool.fetch("SELECT role FROM team_people WHERE team_id = $1 AND person_id = $2 ORDER BY role",
                                      team_id, person_id)
        return [r["role"] for r in rows]

    async def is_person(self, district_id: str, person_id: str) -> bool:
        """Still a person of the district with a work address (a signed-in session ends when they leave)."""
        return bool(await self._pool.fetchval("SELECT 1 FROM person_emails WHERE district_id = $1 AND person_id = $2",
                                              district_id, person_id))

    # --- a principal's school (issue 11: "the school (teams × steps, what is stalled)") ---

    async def schools_led(self, district_id: str, person_id: str) -> list[dict]:
        """The schools where a person is the principal of an active team, with their active teams and how many are
        escalated; a school no wave has launched yet is named as its district's file names it, and a school no
        rollout knows (a standalone team's) by its id."""
        rows = await self._pool.fetch(
            # The few schools first (materialized), then their teams by the school index: a plan that stays fast
            # even before PostgreSQL has statistics (an IN over the district's teams took seconds then).
            """WITH led AS MATERIALIZED (
                   SELECT DISTINCT l.school_id FROM team_people p JOIN team_status l ON l.team_id = p.team_id
                    WHERE p.person_id = $2 AND p.role = 'principal' AND l.district_id = $1 AND l.retired_at IS NULL)
               SELECT t.school_id, coalesce(min(s.name), min(f.name), t.school_id) AS name, count(*) AS teams,
                      count(t.escalation_id) AS escalated
                 FROM led JOIN team_status t ON t.school_id = led.school_id
                 LEFT JOIN school_status s ON s.school_id = t.school_id
                 LEFT JOIN district_schools f ON f.school_id = t.school_id AND f.district_id = t.district_id
                WHERE t.district_id = $1 AND t.retired_at IS NULL
                GROUP BY t.school_id ORDER BY 2""",
            district_id, person_id,
        )
        return _rows(rows)

    # --- who reads what they do not work on (issue 11: supervisors, district admins, the coalition) ---

    async def person_access(self, district_id: str, person_id: str) -> dict | None:
        """A person's district-wide standing: roles, coalition seat, a supervisor's schools (``person_roles``)."""
        row = await self._pool.fetchrow(
            "SELECT roles, school_id, coalition, supervises FROM person_roles WHERE district_id = $1 AND person_id = $2",
            district_id, person_id)
        return {**dict(row), "supervises": tuple(row["supervises"])} if row else None

    async def recommendations_pending(self, district_id: str, school_ids: tuple[str, ...] = ()) -> list[dict]:
        """Every recommendation waiting for a principal in a district (or its given schools), oldest first."""
        rows = await self._pool.fetch(
            """SELECT r.team_id, t.name AS team_name, t.school_id, r.recommendation_id, r.summary, r.proposed_by,
                      r.proposed_at
                 FROM pending_recommendations r JOIN team_status t ON t.team_id = r.team_id
                WHERE t.district_id = $1 AND (cardinality($2::text[]) = 0 OR t.school_id = ANY($2))
                  AND t.retired_at IS NULL
                ORDER BY r.proposed_at""",
            district_id, list(school_ids),
        )
        return _rows(rows)

    async def steps_by_school(self, district_id: str, school_ids: tuple[str, ...] = ()) -> list[dict]:
        """Active teams per school and step (None: between cycles), and how many of them are escalated: the
        district dashboard's table in one grouped query, whatever the district's size."""
        rows = await self._pool.fetch(
            """SELECT school_id, step, count(*) AS teams, count(escalation_id) AS escalated FROM team_status
                WHERE district_id = $1 AND (cardinality($2::text[]) = 0 OR school_id = ANY($2)) AND retired_at IS NULL
                GROUP BY school_id, step""",
            district_id, list(school_ids),
        )
        return _rows(rows)

    async def rubric_latest(self, district_id: str, school_ids: tuple[str, ...] = ()) -> list[dict]:
        """Each launched school's latest rubric level per dimension, for the district dashboard."""
        rows = await self._pool.fetch(
            """SELECT DISTINCT ON (r.school_id, r.dimension) r.school_id, r.dimension, r.level, r.term, r.assessed_on
                 FROM rubric_results r JOIN school_status s ON s.school_id = r.school_id
                WHERE s.district_id = $1 AND (cardinality($2::text[]) = 0 OR r.school_id = ANY($2))
                ORDER BY r.school_id, r.dimension, r.assessed_on DESC""",
            district_id, list(school_ids),
        )
        return _rows(rows)

    async def school_names(self, district_id: str) -> dict[str, str]:
        """Every school the district's file names, by id (``district_schools``): a school no wave has launched yet
        is still called by its name."""
        rows = await self._pool.fetch("SELECT school_id, name FROM district_schools WHERE district_id = $1", district_id)
        return {r["school_id"]: r["name"] for r in rows}

    async def team_names(self, team_ids: list[str]) -> dict[str, str]:
        """The names of a few teams (the cards of what is stalled), by id."""
        rows = await self._pool.fetch("SELECT team_id, name FROM team_status WHERE team_id = ANY($1::text[])",
                                      [t for t in team_ids if t])
        return {r["team_id"]: r["name"] for r in rows}
