"""One workflow per launched school: launches its teams, keeps its clocks, rolls escalations up.

Started by the district's rollout as a child with parent-close ABANDON, so
it outlives the district's continue-as-new; its teams are its own children on
the same terms. Teams report escalations that reach the principal by signal
(the school shows them); what reaches the coalition the school forwards to
the district. It continues as new at each school-year boundary.
"""

import contextlib
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.errors import DomainError
    from domain.rollout.commands import RollUpFromSchool
    from domain.school import commands as m
    from domain.school.events import SchoolCalendarChanged, SchoolEventT
    from domain.team.commands import ChangeCalendar as TeamChangeCalendar
    from domain.school.state import SchoolState, evolve
    from domain.rollout.launch import team_registration
    from domain.school.decider import decide, district_roll_ups, next_tick_at

    from .contracts import (
        CALENDAR_SIGNAL,
        LAUNCH_SCHOOLWIDE_SIGNAL,
        SCHOOL_ESCALATION_SIGNAL,
        SCHOOL_UPDATES,
        SCHOOL_WORKFLOW,
        STATUS_QUERY,
        TEAM_ESCALATION_SIGNAL,
        TEAM_WORKFLOW,
        school_workflow_id,
        team_workflow_id,
    )
    from .messages import TeamWorkflowInput
    from .shell import DeciderShell

class SchoolWorkflowInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    opening: m.OpenSchool | None = None
    state: SchoolState | None = None
    applied_updates: dict[str, int] = Field(default_factory=dict)
    started_teams: tuple[str, ...] = ()
    history_limit: int = Field(default=4_000, ge=20)


class SchoolCommandResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    events: list[SchoolEventT]
    duplicate: bool = False


class SchoolStatus(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    state: SchoolState
    persisted_version: int
    started_teams: tuple[str, ...]


@workflow.defn(name=SCHOOL_WORKFLOW)
class SchoolAdoptionWorkflow(DeciderShell):
    _decide = staticmethod(decide)
    _evolve = staticmethod(evolve)
    _clock_lag = timedelta(minutes=1)  # after its teams (shell._clock_lag)
    _result_type = SchoolCommandResult

    @workflow.init
    def __init__(self, input: SchoolWorkflowInput) -> None:
        self._start_shell(input.state or SchoolState(), input.applied_updates)
        self._started = list(input.started_teams)
        self._history_limit = input.history_limit
        self._to_district: list[RollUpFromSchool] = []
        self._to_teams: list[tuple[str, TeamChangeCalendar]] = []  # calendar changes owed to started teams
        for command_type, name in SCHOOL_UPDATES.items():
            self._accept(command_type, name)
        if self._state.school is None:
            self._execute(input.opening)
        self._year_at_start = self._state.school_year

    @workflow.run
    async def run(self, input: SchoolWorkflowInput) -> None:
        await self._live()

    def _next_run(self):
        next_input = SchoolWorkflowInput(
            state=self._state, applied_updates=self._recent_updates(), started_teams=tuple(self._started),
            history_limit=self._history_limit,
        )
        return next_input, {"school_year": self._state.school_year}

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> SchoolStatus:
        return SchoolStatus(state=self._state, persisted_version=self._persisted, started_teams=tuple(self._started))

    @workflow.signal(name=TEAM_ESCALATION_SIGNAL)
    def team_escalation(self, notice: m.RollUpEscalation) -> None:
        self._apply_signal(notice)

    @workflow.signal(name=LAUNCH_SCHOOLWIDE_SIGNAL)
    def launch_schoolwide(self, command: m.LaunchSchoolwide) -> None:
        self._apply_signal(command)

    @workflow.signal(name=CALENDAR_SIGNAL)
    def calendar_changed(self, command: m.ChangeCalendar) -> None:
        """The district's new calendar (issue 9): the school records its event, then tells each team it started."""
        self._apply_signal(command)

    def _apply_signal(self, command) -> None:
        # A signal cannot be refused like an Update; one the rules refuse is logged, never allowed to fail the task.
        try:
            self._execute(command)
        except DomainError as err:
            self._log().info("signal_refused", command=type(command).__name__, reason=err.reason)

    def _execute(self, command) -> list:
        before = self._state
        events = super()._execute(command)
        for e in events:
            if isinstance(e, SchoolCalendarChanged):
                self._tell_teams(self._started, e.by)
        if workflow.info().parent is not None:
            self._to_district += [
                RollUpFromSchool(actor="plcflow", school_id=self._state.school.school_id, escalation_id=i, level=lvl, reason=why)
                for i, lvl, why in district_roll_ups(before, events)
            ]
        return events

    def _tell_teams(self, team_ids, actor: str) -> None:
        command = TeamChangeCalendar(actor=actor, calendar=self._state.calendar)
        self._to_teams += [(t, command) for t in team_ids]

    def _clock(self):
        return self._keep_clock(lambda: next_tick_at(self._state, workflow.now()), m.SchoolTick)

    def _side_loops(self):
        return [self._launch_forever(), self._report_forever(), self._calendar_forever()]

    def _side_work_pending(self) -> bool:
        return bool(self._unstarted() or self._to_district or self._to_teams)

    def _unstarted(self) -> list[str]:
        return [t for t in sorted(self._state.teams) if t not in self._started]

    async def _launch_forever(self) -> None:
        """Start a child workflow for every launched team; pilot teams already running are kept as they are."""
        while True:
            await workflow.wait_condition(lambda: bool(self._unstarted()))
            team_id = self._unstarted()[0]
            registration = team_registration(self._state, team_id)
            with contextlib.suppress(WorkflowAlreadyStartedError):
                await workflow.start_child_workflow(
                    TEAM_WORKFLOW, TeamWorkflowInput(registration=registration),
                    id=team_workflow_id(team_id), parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                )
            self._started.append(team_id)
            if registration.calendar != self._state.calendar:  # the calendar changed while the team was starting
                self._tell_teams([team_id], "plcflow")

    async def _report_forever(self) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        while True:
            await workflow.wait_condition(lambda: bool(self._to_district))
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(SCHOOL_ESCALATION_SIGNAL, self._to_district[0])
            self._to_district.pop(0)

    async def _calendar_forever(self) -> None:
        """Issue 9: pass the district's new calendar on to every team this school started (a signal each)."""
        while True:
            await workflow.wait_condition(lambda: bool(self._to_teams))
            team_id, command = self._to_teams[0]
            try:
                await workflow.get_external_workflow_handle(team_workflow_id(team_id)).signal(CALENDAR_SIGNAL, command)
            except FailureError as err:  # a team whose workflow has ended has no clock left to carry across
                self._log().info("calendar_not_delivered", team_id=team_id, reason=str(err))
            self._to_teams.pop(0)

    def _should_continue_as_new(self) -> bool:
        return self._state.school_year != self._year_at_start or self._history_full(self._history_limit)

    def _stream_id(self) -> str:
        return school_workflow_id(self._state.school.school_id)

    def _context(self) -> dict[str, str | None]:
        s = self._state.school
        return {"school_id": s.school_id if s else None, "district_id": self._state.district_id}
