"""A district carried from one school year into the next by its own commands (issue 9, "Done when").

The gates are walked with the Updates a district admin sends (no event written
behind the workflow's back), the waves launch every school, next year's
calendar is written as a district publishes it (the current calendar, snow days
and make-up days included, plus the new year), and every stream is checked to
fold to the state its workflow reports.
"""

from datetime import date, time, timedelta

from pydantic import TypeAdapter
from temporalio.client import WorkflowExecutionStatus

from app.districts import DistrictClient

from domain.calendar import SchoolCalendar, parse_calendar
from domain.rollout import commands as c
from domain.rollout.events import RolloutEventT
from domain.rollout.phases import Phase
from domain.rollout.state import fold as fold_rollout
from domain.school.events import SchoolEventT
from domain.school.state import fold as fold_school
from workflows.contracts import district_workflow_id, school_workflow_id

from simulation.gates import gate_commands, waves

from .harness import continued, eventually, settled


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


class Story:
    """One district on a harness's server, driven by its commands: sleep to a local date, query, wait."""

    def __init__(self, h, start: c.StartRollout):
        self.h, self.start, self.d = h, start, start.district
        self.districts = DistrictClient(h.env.client, h.teams._task_queue)
        self.cal = start.calendar

    async def sleep_to(self, d: date, at: time = time(12)) -> None:
        delta = self.cal.at_local(d, at) - await self.h.now()
        assert delta > timedelta(0), f"cannot sleep back to {d}"
        await self.h.env.sleep(delta)

    async def team(self, team_id: str):
        return (await self.h.status(team_id)).state

    async def district(self):
        return (await self.districts.status(self.d.district_id)).state

    async def send(self, command):
        return await self.districts.send(self.d.district_id, command)

    async def launch(self) -> date:
        """Walk the gates, launch a pilot then every school, complete the launch: the rollout sustains."""
        cal, today = self.cal, self.cal.local_date(await self.h.now())
        await self.districts.start(self.start)
        pilot_on, schoolwide_on = cal.add_school_days(today, 1), cal.add_school_days(today, 2)
        for command in [*gate_commands(self.start, today), *waves(self.start, pilot_on, schoolwide_on)]:
            await self.send(command)
        self.h.started += [t.team_id for s in self.d.schools for t in s.teams]
        await self.sleep_to(schoolwide_on)
        for s in self.d.schools:
            await eventually(lambda s=s: self._all_started(s.school_id, len(s.teams)), f"{s.school_id} launched its teams")
        await self.send(c.CompletePhase(actor=self.start.actor, phase=Phase.LAUNCH_WAVES))
        assert (await self.district()).phase is Phase.SUSTAIN
        return pilot_on

    async def _all_started(self, school_id: str, n: int) -> bool:
        try:
            return len((await self.districts.school_status(school_id)).started_teams) == n
        except Exception:
            return False  # not started yet

    async def cross_into(self, year_start: date) -> None:
        """Sleep into the school year starting then; the district and each school continue as new (query after)."""
        handles = [self.districts.district(self.d.district_id), *(self.districts.school(s.school_id) for s in self.d.schools)]
        runs = [(await handle.describe()).run_id for handle in handles]
        await self.sleep_to(year_start + timedelta(days=2))
        for handle, run in zip(handles, runs, strict=True):
            await continued(handle, run)
        name = next(y.name for y in self.cal.school_years if y.start == year_start)
        await eventually(lambda: self._in_year(name), f"the district opened {name}")

    async def _in_year(self, name: str) -> bool:
        return (await self.district()).school_year == name

    async def finish(self) -> None:
        for handle in (self.districts.district(self.d.district_id), *(self.districts.school(s.school_id) for s in self.d.schools)):
            await handle.terminate("test finished")


async def completed(h, team_id: str) -> bool:
    return (await h.teams.handle(team_id).describe()).status == WorkflowExecutionStatus.COMPLETED


async def until(get, check, what: str):
    async def holds():
        value = await get()
        return value if check(value) else None

    return await eventually(holds, what)


async def team_state_or_none(h, team_id: str):
    try:
        return (await h.status(team_id)).state
    except Exception:
        return None  # not started yet
