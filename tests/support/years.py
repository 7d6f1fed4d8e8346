"""A district carried from one school year into the next by its own commands (issue 9, "Done when").

The gates are walked with the Updates a district admin sends (no event written
behind the workflow's back), the waves launch every school, next year's
calendar is written as a district publishes it (the current calendar, snow days
and make-up days included, plus the new year), and every stream is checked to
fold to the state its workflow reports.
"""

from datetime import date

from pydantic import TypeAdapter

from domain.calendar import SchoolCalendar, parse_calendar
from domain.district import District, Role
from domain.rollout import commands as c
from domain.rollout.events import RolloutEventT
from domain.rollout.phases import Phase
from domain.rollout.state import fold as fold_rollout
from domain.school.events import SchoolEventT
from domain.school.state import fold as fold_school
from domain.school.terms import terms
from workflows.contracts import district_workflow_id, school_workflow_id

from .harness import settled


def coalition_for(d: District) -> tuple[str, ...]:
    """A representative coalition (seed 001): the admins, every principal, someone from each department,
    a teacher leader, union leadership where staff have one."""
    people = d.people
    seats = [*d.admins, *(s.principal for s in d.schools)]
    seats += [next(p.id for p in people if Role.DEPARTMENT_STAFF in p.roles and p.department == dept) for dept in d.departments]
    seats.append(next(p.id for p in people if Role.TEACHER_LEADER in p.roles))
    seats += [p.id for p in people if Role.UNION_LEADER in p.roles]
    return tuple(dict.fromkeys(seats))


def gate_commands(start: c.StartRollout, today: date) -> list[c.RolloutCommand]:
    """Everything a district admin sends to reach the launch of waves, gate by gate."""
    d, admin, cal = start.district, start.actor, start.calendar
    first, second = terms(cal)[:2]
    return [
        c.SeatCoalition(actor=admin, members=coalition_for(d)),
        c.CompletePhase(actor=admin, phase=Phase.FORM_COALITION),
        c.RecordInquiryActivity(actor=admin, kind="book_study", title="Learning by Doing", held_on=today),
        c.AdoptGlossary(actor=admin, terms={"PLC": "professional learning community"}),
        c.SetNonNegotiables(actor=admin, items=("Every teacher belongs to a collaborative team",)),
        *(c.AlignMissionAndVision(actor=s.principal, school_id=s.school_id) for s in d.schools),
        c.CompletePhase(actor=admin, phase=Phase.BUILD_SHARED_KNOWLEDGE),
        c.AddLearningSession(actor=admin, term=first.name, topic="Realistic goals", held_on=today),
        c.AddLearningSession(actor=admin, term=second.name, topic="Prioritizing standards", held_on=today),
        c.CompletePhase(actor=admin, phase=Phase.PLAN_LEARNING),
        c.RecordDistrictNorms(actor=admin, norms=("Start on time",), violation_process="Name it; then one to one"),
        c.CompletePhase(actor=admin, phase=Phase.MODEL_THE_WORK),
    ]


def waves(start: c.StartRollout, pilot_on: date, schoolwide_on: date) -> list[c.ScheduleWave]:
    """A pilot wave of the district file's volunteer teams, then every school schoolwide."""
    d, admin = start.district, start.actor
    pilots = [(s.school_id, t.team_id) for s in d.schools for t in s.teams if t.pilot]
    return [
        c.ScheduleWave(actor=admin, kind="pilot", launch_on=pilot_on, school_ids=tuple(dict.fromkeys(s for s, _ in pilots)),
                       pilot_team_ids=tuple(t for _, t in pilots)),
        c.ScheduleWave(actor=admin, kind="schoolwide", launch_on=schoolwide_on, school_ids=tuple(s.school_id for s in d.schools)),
    ]


def first_year_only(cal: SchoolCalendar) -> SchoolCalendar:
    """The calendar as it stands before next year's is published: its first school year and that year's closures."""
    end = cal.school_years[0].end
    data = cal.model_dump(mode="json")
    data["school_years"] = data["school_years"][:1]
    data["closed"] = [x for x in data["closed"] if date.fromisoformat(x["start"]) <= end]
    return parse_calendar(data)


def with_next_years(current: SchoolCalendar, full: SchoolCalendar) -> SchoolCalendar:
    """What a district publishes in spring: its current calendar as it stands (snow days, make-up days) and the
    years of ``full`` after it, with their closures."""
    end = current.school_years[-1].end
    data = current.model_dump(mode="json")
    later = full.model_dump(mode="json")
    data["school_years"] += [y for y in later["school_years"] if date.fromisoformat(y["start"]) > end]
    data["closed"] += [x for x in later["closed"] if date.fromisoformat(x["start"]) > end]
    return parse_calendar(data)


async def district_log_matches(h, districts, district_id: str):
    status = await settled(lambda: districts.status(district_id))
    rows = await h.store.read_stream(district_workflow_id(district_id))
    assert fold_rollout(TypeAdapter(RolloutEventT).validate_python(r.data) for r in rows) == status.state
    return status


async def school_log_matches(h, districts, school_id: str):
    status = await settled(lambda: districts.school_status(school_id))
    rows = await h.store.read_stream(school_workflow_id(school_id))
    assert fold_school(TypeAdapter(SchoolEventT).validate_python(r.data) for r in rows) == status.state
    return status
