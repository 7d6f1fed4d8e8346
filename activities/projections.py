"""What each event does to the read models (the projector in ``activities.projector`` applies them).

Each handler gets the connection of the projector's batch transaction, the
stream id and the event's JSON data; it must be a pure function of those and
the read models, so a rebuild from the log gives the same contents.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time

import asyncpg

from domain.calendar import SchoolCalendar
from domain.team.events import LEGACY_HOLDS

from . import team_rosters
from . import digest_projections as digests
from . import work_projections as work


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


READ_MODELS = ("school_days", "district_time_zones", "team_status", "school_status", "district_status",
               "district_schools", "open_escalations", "rubric_results", "person_emails",
               *team_rosters.READ_MODELS, *digests.READ_MODELS, *work.READ_MODELS)
Handler = Callable[[asyncpg.Connection, str, dict], Awaitable[None]]

VERSIONED = {"team": ("team_status", "team_id"), "school": ("school_status", "school_id"),
             "district": ("district_status", "district_id")}


@dataclass(frozen=True)
class Statement:
    """A handler whose whole effect is one statement: its SQL, and the arguments an event gives it.

    Issue 13: a burst of advances is a round of many events of a few such kinds (StepOpened above all), one
    round trip each while the round's later events wait. The projector (``activities.projector``) sends
    consecutive events of the same statement as one ``executemany`` (one round trip), in event order, so
    the statements PostgreSQL runs, and their order, are the same as one call each.
    """

    sql: str
    args: Callable[[str, dict], tuple]

    async def __call__(self, conn, stream: str, d: dict) -> None:
        await conn.execute(self.sql, *self.args(stream, d))


# --- what each event does to the read models ---


async def _school_days(conn, district_id: str, calendar: dict) -> None:
    """A district's time zone and its calendar as rows, once (a district has one calendar for all its teams)."""
    await conn.execute("INSERT INTO district_time_zones (district_id, timezone) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       district_id, calendar["timezone"])
    if await conn.fetchval("SELECT 1 FROM school_days WHERE district_id = $1 LIMIT 1", district_id):
        return
    days = SchoolCalendar.model_validate(calendar).school_days
    await conn.executemany("INSERT INTO school_days (district_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           [(district_id, day) for day in days])


async def _notify_at(conn, district_id: str, notify_at: str, *, rollout: bool) -> None:
    """Issue 10: the notifier sends at the district's ``notify_at`` (``domain.notice_hours``): a rollout's
    policy sets it; a team registered on its own lends its policy's until a rollout does."""
    keep = "$2" if rollout else "coalesce(notify_at, $2)"
    await conn.execute(f"UPDATE district_time_zones SET notify_at = {keep} WHERE district_id = $1",
                       district_id, time.fromisoformat(notify_at))


async def _team_registered(conn, stream, d):
    t = d["team"]
    await _school_days(conn, t["district_id"], d["calendar"])
    await _notify_at(conn, t["district_id"], d["policy"]["notify_at"], rollout=False)
    await conn.execute(
        "INSERT INTO team_status (team_id, school_id, district_id, name, version) VALUES ($1, $2, $3, $4, 0)",
        t["team_id"], t["school_id"], t["district_id"], t["name"],
    )
    await team_rosters.registered(conn, t, d["policy"])  # issues 10 and 11: who is on it, when it reminds


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


_cycle_started = Statement("UPDATE team_status SET cycle = $2 WHERE team_id = $1",
                           lambda stream, d: (_team_id(stream), d["cycle"]))

_step_opened = Statement("UPDATE team_status SET step = $2, step_opened_at = $3, due_on = $4 WHERE team_id = $1",
                         lambda stream, d: (_team_id(stream), d["step"], _ts(d["at"]), _date(d["due_on"])))

_cycle_closed = Statement("UPDATE team_status SET step = NULL, due_on = NULL WHERE team_id = $1",
                          lambda stream, d: (_team_id(stream),))


async def _team_retired(conn, stream, d):
    await work.team_retired(conn, _team_id(stream))
    await conn.execute("UPDATE team_status SET retired_at = $2, merged_into = $3, step = NULL, due_on = NULL WHERE team_id = $1",
                       _team_id(stream), _ts(d["at"]), d.get("merged_into"))


_paused = Statement("UPDATE team_status SET paused = true WHERE team_id = $1", lambda stream, d: (_team_id(stream),))

_resumed = Statement("UPDATE team_status SET paused = false, due_on = $2 WHERE team_id = $1",
                     lambda stream, d: (_team_id(stream), _date(d["due_on"])))


async def _escalation_raised(conn, stream, d, kind: str, subject: str, ids: dict):
    before = await conn.fetchval("SELECT reached FROM open_escalations WHERE escalation_id = $1", d["escalation_id"]) or []
    reached = list(dict.fromkeys([*before, *d["reached"]]))  # everyone reached so far, lowest rung first
    await conn.execute(
        """INSERT INTO open_escalations (escalation_id, kind, stream_id, team_id, school_id, district_id, subject, level,
                                         reached, reason, raised_on, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (escalation_id) DO UPDATE SET level = $8, reached = $13, reason = $10, raised_on = $11,
               raised_at = $12, held_until = NULL, hold = NULL""",
        d["escalation_id"], kind, stream, ids.get("team_id"), ids.get("school_id"), ids.get("district_id"), subject,
        d["level"], list(d["reached"]), d["reason"], _date(d["on"]), _ts(d["at"]), reached,
    )


async def _team_escalation_raised(conn, stream, d):
    team = await conn.fetchrow("SELECT school_id, district_id FROM team_status WHERE team_id = $1", _team_id(stream))
    ids = {"team_id": _team_id(stream), **(dict(team) if team else {})}
    await _escalation_raised(conn, stream, d, "team", d["step"], ids)
    await conn.execute("UPDATE team_status SET escalation_id = $2, escalation_level = $3 WHERE team_id = $1",
                       _team_id(stream), d["escalation_id"], d["level"])


def _held_args(stream, d):
    hold = d.get("hold") or LEGACY_HOLDS[d["type"]]
    return d["escalation_id"], _date(d["held_until"]), hold


_held = Statement("UPDATE open_escalations SET held_until = $2, hold = $3 WHERE escalation_id = $1", _held_args)


async def _resolved(conn, stream, d):
    await digests.keep_resolved(conn, d["escalation_id"], d["at"])  # issue 10: "what was resolved", in a digest
    await conn.execute("DELETE FROM open_escalations WHERE escalation_id = $1", d["escalation_id"])
    await conn.execute("UPDATE team_status SET escalation_id = NULL, escalation_level = NULL WHERE escalation_id = $1",
                       d["escalation_id"])


# Issue 9: an open escalation now reaches the current holders of its rungs.
_reassigned = Statement("UPDATE open_escalations SET reached = $2 WHERE escalation_id = $1",
                        lambda stream, d: (d["escalation_id"], list(d["reached"])))


async def _school_opened(conn, stream, d):
    s = d["school"]
    await conn.execute(
        """INSERT INTO school_status (school_id, district_id, name, level, area, rubric_levels, version)
           VALUES ($1, $2, $3, $4, $5, $6, 0)""",
        s["school_id"], d["district_id"], s["name"], s["level"], s["area"], list(d["rubric"]["levels"]),
    )


_term_began = Statement("UPDATE school_status SET term = $2 WHERE school_id = $1",
                        lambda stream, d: (stream.removeprefix("school-"), d["term"]))


async def _self_assessed(conn, stream, d):
    a = d["assessment"]
    await conn.executemany(
        """INSERT INTO rubric_results (school_id, term, dimension, level, assessed_on) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (school_id, term, dimension) DO UPDATE SET level = $4, assessed_on = $5""",
        [(stream.removeprefix("school-"), a["term"], dim, level, _date(a["assessed_on"])) for dim, level in a["ratings"].items()],
    )


async def _school_escalation_raised(conn, stream, d):
    school_id = stream.removeprefix("school-")
    district = await conn.fetchval("SELECT district_id FROM school_status WHERE school_id = $1", school_id)
    await _escalation_raised(conn, stream, d, "school", d["subject"], {"school_id": school_id, "district_id": district})


async def _rollout_started(conn, stream, d):
    await _school_days(conn, d["district"]["district_id"], d["calendar"])
    await _notify_at(conn, d["district"]["district_id"], d["policy"]["notify_at"], rollout=True)
    # Issue 10 (domain.notice_forwarding): a policy recorded before the key existed parks.
    await conn.execute("UPDATE district_time_zones SET notices_without_address = $2 WHERE district_id = $1",
                       d["district"]["district_id"], d["policy"].get("notices_without_address", "park"))
    await conn.execute("INSERT INTO district_status (district_id, name, version) VALUES ($1, $2, 0)",
                       d["district"]["district_id"], d["district"]["name"])
    await conn.executemany("INSERT INTO district_schools (district_id, school_id, name) VALUES ($1, $2, $3)",
                           [(d["district"]["district_id"], s["school_id"], s["name"]) for s in d["district"]["schools"]])
    await _person_emails(conn, d["district"]["district_id"], d["district"]["people"])
    await digests.person_roles(conn, d["district"]["district_id"], d["district"]["people"])


async def _person_emails(conn, district_id: str, people: list[dict]) -> None:
    """Issue 10: where the notifier sends a person's notices; a person without an address has no row."""
    for p in people:
        if p.get("email"):
            await conn.execute("""INSERT INTO person_emails (district_id, person_id, email) VALUES ($1, $2, $3)
                                  ON CONFLICT (district_id, person_id) DO UPDATE SET email = excluded.email""",
                               district_id, p["id"], p["email"])
        else:
            await conn.execute("DELETE FROM person_emails WHERE district_id = $1 AND person_id = $2", district_id, p["id"])


async def _person_changed(conn, stream, d):
    await _person_emails(conn, stream.removeprefix("district-"), [d["person"]])
    await digests.person_roles(conn, stream.removeprefix("district-"), [d["person"]])


async def _person_left(conn, stream, d):
    await conn.execute("DELETE FROM person_emails WHERE district_id = $1 AND person_id = $2",
                       stream.removeprefix("district-"), d["person_id"])
    await team_rosters.person_left(conn, stream.removeprefix("district-"), d["person_id"])
    await digests.person_gone(conn, stream.removeprefix("district-"), d["person_id"])


_phase_opened = Statement("UPDATE district_status SET phase = $2, due_on = $3, school_year = $4 WHERE district_id = $1",
                          lambda stream, d: (stream.removeprefix("district-"), d["phase"], _date(d["due_on"]), d["school_year"]))


async def _rollout_escalation_raised(conn, stream, d):
    district_id = stream.removeprefix("district-")
    await _escalation_raised(conn, stream, d, "district", d["phase"], {"district_id": district_id})


async def _district_calendar_changed(conn, stream, d):
    """Issue 9: the district's school days are its new calendar's, and its phase's due date carried across."""
    district_id = stream.removeprefix("district-")
    await conn.execute("DELETE FROM school_days WHERE district_id = $1", district_id)
    await _school_days(conn, district_id, d["calendar"])
    await conn.execute("UPDATE district_status SET due_on = $2 WHERE district_id = $1", district_id, _date(d["due_on"]))


async def _team_calendar_changed(conn, stream, d):
    await conn.execute("UPDATE team_status SET due_on = $2 WHERE team_id = $1", _team_id(stream), _date(d["due_on"]))
    if d.get("held_until"):
        await conn.execute("UPDATE open_escalations SET held_until = $2 WHERE stream_id = $1", stream, _date(d["held_until"]))


async def _school_calendar_changed(conn, stream, d):
    for subject, until in (d.get("held_until") or {}).items():
        await conn.execute("UPDATE open_escalations SET held_until = $3 WHERE stream_id = $1 AND subject = $2",
                           stream, subject, _date(until))


async def _calendar_end_escalation_raised(conn, stream, d):
    await _escalation_raised(conn, stream, d, "district", "calendar", {"district_id": stream.removeprefix("district-")})
async def _coalition_gap_raised(conn, stream, d):
    # Issue 9: shown with the district's open escalations, its subject the coalition.
    await _escalation_raised(conn, stream, d, "district", "coalition", {"district_id": stream.removeprefix("district-")})


HANDLERS: dict[str, Handler] = {
    "TeamRegistered": _team_registered,
    "CycleStarted": _cycle_started,
    "StepOpened": _step_opened,
    "CycleClosed": _cycle_closed,
    "TeamPaused": _paused,
    "TeamResumed": _resumed,
    "EscalationRaised": _team_escalation_raised,
    "EscalationHeld": _held,
    "EscalationAcknowledged": _held,  # rows written before one hold shape (domain.team.events.LEGACY_HOLDS)
    "EscalationSnoozed": _held,
    "EscalationResolved": _resolved,
    "TeamRetired": _team_retired,
    "EscalationReassigned": _reassigned,
    "SchoolOpened": _school_opened,
    "TermBegan": _term_began,
    "SelfAssessed": _self_assessed,
    "SchoolEscalationRaised": _school_escalation_raised,
    "SchoolEscalationHeld": _held,
    "SchoolEscalationResolved": _resolved,
    "RolloutStarted": _rollout_started,
    "PhaseOpened": _phase_opened,
    "RolloutEscalationRaised": _rollout_escalation_raised,
    "RolloutEscalationHeld": _held,
    "RolloutEscalationResolved": _resolved,
    "DistrictCalendarChanged": _district_calendar_changed,
    "TeamCalendarChanged": _team_calendar_changed,
    "SchoolCalendarChanged": _school_calendar_changed,
    "CalendarEndEscalationRaised": _calendar_end_escalation_raised,
    "CalendarEndEscalationResolved": _resolved,
    "RolloutEscalationReassigned": _reassigned,
    "SchoolEscalationReassigned": _reassigned,
    "CoalitionGapRaised": _coalition_gap_raised,
    "CoalitionGapResolved": _resolved,
    "PersonAdded": _person_changed,
    "RolesChanged": _person_changed,
    "PersonLeft": _person_left,
    **digests.HANDLERS,  # issue 10: preferences and the coalition's seats, for digests
    **team_rosters.HANDLERS,  # issues 10 and 11: who is on each team (reminders, My work, the next rung)
    **work.HANDLERS,  # issue 11: what waits for a team's principal (My work)
}
