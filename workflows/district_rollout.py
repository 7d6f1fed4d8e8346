"""One workflow per district: its multi-year PLC rollout.

Every admin and coalition command is an Update validated by the rollout's
decider. A clock loop wakes for the next wave, the next school year, or the
next rung of an overdue phase. Launching a wave starts each school as a
child workflow (parent-close ABANDON: schools and their teams keep running
through the district's continue-as-new), or tells a pilot school to launch
schoolwide. Schools report what reaches the coalition by signal. The
rollout continues as new at each school-year boundary.
"""

import contextlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.calendar import school_year_of
    from domain.ladder import DISTRICT_CLOCK_LAG
    from domain.rollout import commands as c
    from domain.rollout.decider import next_wake_at
    from domain.rollout.events import DistrictCalendarChanged, RolloutEventT
    from domain.rollout.launch import pending_launches, school_opening
    from domain.rollout.people import on_school_started, school_changes
    from domain.rollout.state import RolloutState, evolve
    from domain.school import commands as m

    from .recorded import CALENDAR_END, decide_rollout
    from .contracts import (
        CALENDAR_SIGNAL,
        DISTRICT_UPDATES,
        DISTRICT_WORKFLOW,
        LAUNCH_SCHOOLWIDE_SIGNAL,
        ROSTER_SIGNAL,
        SCHOOL_ESCALATION_SIGNAL,
        SCHOOL_WORKFLOW,
        STATUS_QUERY,
        district_workflow_id,
        school_workflow_id,
    )
    from .notices import rollout_notifications
    from .school_adoption import SchoolWorkflowInput
    from .shell import DeciderShell, accepts

class DistrictWorkflowInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: c.StartRollout | None = None
    state: RolloutState | None = None
    applied_updates: dict[str, int] = Field(default_factory=dict)
    schools_started: dict[str, str] = Field(default_factory=dict)  # school id -> "pilot" | "schoolwide"
    history_limit: int = Field(default=4_000, ge=20)


class DistrictCommandResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    events: list[RolloutEventT]
    duplicate: bool = False


class DistrictStatus(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    state: RolloutState
    persisted_version: int
    schools_started: dict[str, str]


ROSTER_PATCH = "roster-signals"


@workflow.defn(name=DISTRICT_WORKFLOW)
@accepts(DISTRICT_UPDATES)
class DistrictRolloutWorkflow(DeciderShell):
    _decide = staticmethod(decide_rollout)  # decide, as recorded histories decided (issue 8 #7)
    _evolve = staticmethod(evolve)
    _clock_lag = DISTRICT_CLOCK_LAG  # after its schools (shell._clock_lag)
    _result_type = DistrictCommandResult

    @workflow.init
    def __init__(self, input: DistrictWorkflowInput) -> None:
        self._start_shell(input.state or RolloutState(), input.applied_updates)
        self._schools = dict(input.schools_started)
        self._history_limit = input.history_limit
        self._to_schools: list[tuple[str, str, Any]] = []  # (school id, signal, command) owed to started schools
        if self._state.district is None:
            self._execute(input.start)
        self._year_at_start = self._year()

    @workflow.run
    async def run(self, input: DistrictWorkflowInput) -> None:
        # A run recorded before the calendar-end escalation keeps its clock's instants as they were (issue 9).
        self._calendar_end = workflow.patched(CALENDAR_END)
        await self._live()

    def _next_run(self):
        next_input = DistrictWorkflowInput(
            state=self._state, applied_updates=self._recent_updates(), schools_started=self._schools,
            history_limit=self._history_limit,
        )
        return next_input, {"school_year": self._year()}

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> DistrictStatus:
        return DistrictStatus(state=self._state, persisted_version=self._persisted, schools_started=self._schools)

    @workflow.signal(name=SCHOOL_ESCALATION_SIGNAL)
    def school_escalation(self, notice: c.RollUpFromSchool) -> None:
        self._apply_signal(notice)


    @workflow.signal(name=ROSTER_SIGNAL)
    def roster_changed(self, notice: c.RecordSchoolPrincipal) -> None:
        """A school changed its principal (issue 9): the district's copy of the school follows."""
        self._apply_signal(notice)

    def _year(self) -> str | None:
        year = school_year_of(self._state.calendar, self._state.calendar.local_date(workflow.now()))
        return year.name if year else None

    def _next_wake(self):
        # The next tick or the school-year boundary, where the rollout continues as new.
        return next_wake_at(self._state, workflow.now(), with_calendar_end=self._calendar_end)

    def _clock(self):
        return self._keep_clock(self._next_wake, c.Tick)

    def _side_loops(self):
        return [self._launch_forever(), self._tell_schools_forever()]

    def _side_work_pending(self) -> bool:
        return bool(self._pending_launches() or self._to_schools)

    def _execute(self, command) -> list:
        events = super()._execute(command)
        for e in events:
            if isinstance(e, DistrictCalendarChanged):
                self._tell_schools(self._schools, e.by)
        # Issue 9: who left, and the coalition as reseated, reach every school started so far (a school
        # started later is told at its start). A coalition reseated after schools started was not passed
        # down before issue 9: a history recorded then must replay without these signals.
        changes = school_changes(self._state, events)
        if changes and workflow.patched(ROSTER_PATCH):
            self._to_schools += [(school_id, ROSTER_SIGNAL, change) for change in changes for school_id in sorted(self._schools)]
        return events

    def _tell_schools(self, school_ids, actor: str) -> None:
        command = m.ChangeCalendar(actor=actor, calendar=self._state.calendar)
        self._to_schools += [(s, CALENDAR_SIGNAL, command) for s in school_ids]

    async def _tell_schools_forever(self) -> None:
        """What the schools it started must record (issue 9): a new calendar, people who left, the coalition reseated.
        One queue, so each school learns them in the order the district decided them."""
        while True:
            await workflow.wait_condition(lambda: bool(self._to_schools))
            school_id, signal, command = self._to_schools[0]
            try:
                await workflow.get_external_workflow_handle(school_workflow_id(school_id)).signal(signal, command)
            except FailureError as err:  # a school whose workflow has ended has nothing left to record
                self._log().info("signal_not_delivered", school_id=school_id, signal=signal, reason=str(err))
            self._to_schools.pop(0)

    def _pending_launches(self) -> list[tuple[str, str]]:
        return pending_launches(self._state, self._schools)

    async def _launch_forever(self) -> None:
        """A school joins only through a wave: start it, or tell its pilot to go schoolwide."""
        while True:
            await workflow.wait_condition(lambda: bool(self._pending_launches()))
            school_id, mode = self._pending_launches()[0]
            if school_id in self._schools:
                handle = workflow.get_external_workflow_handle(school_workflow_id(school_id))
                await handle.signal(LAUNCH_SCHOOLWIDE_SIGNAL, m.LaunchSchoolwide(actor="plcflow"))
            else:
                await self._start_school(school_id, mode)
                self._to_schools += [(school_id, ROSTER_SIGNAL, change) for change in on_school_started(self._state)]  # issue 9
            self._schools[school_id] = mode

    async def _start_school(self, school_id: str, mode: str) -> None:
        opening = school_opening(self._state, school_id, mode)  # the wave was checked launchable when it was scheduled
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await workflow.start_child_workflow(
                SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening), id=school_workflow_id(school_id),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        if opening.calendar != self._state.calendar:  # the calendar changed while the school was starting
            self._tell_schools([school_id], "plcflow")

    def _should_continue_as_new(self) -> bool:
        return self._year() != self._year_at_start or self._history_full(self._history_limit)

    def _stream_id(self) -> str:
        return district_workflow_id(self._state.district.district_id)

    def _context(self) -> dict[str, str | None]:
        d = self._state.district
        return {"district_id": d.district_id if d else None}

    def _notifications(self, first_version: int, batch):
        return rollout_notifications(self._state, first_version, batch)
