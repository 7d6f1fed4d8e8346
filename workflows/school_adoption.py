"""One workflow per launched school: launches its teams, keeps its clocks, rolls escalations up.

Started by the district's rollout as a child with parent-close ABANDON, so
it outlives the district's continue-as-new; its teams are its own children on
the same terms. Teams report escalations that reach the principal by signal
(the school shows them); what reaches the coalition the school forwards to
the district. It continues as new at each school-year boundary.
"""

import contextlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.rollout.commands import RollUpFromSchool
    from domain.school import commands as m
    from domain.school.events import SchoolCalendarChanged, SchoolEventT, SchoolTeamRetired
    from domain.team import commands as team_commands
    from domain.school.state import SchoolState, evolve
    from domain.rollout.launch import team_registration, unstarted_teams
    from domain.ladder import SCHOOL_CLOCK_LAG
    from domain.school.decider import decide, district_roll_ups, next_tick_at
    from domain.school.people import district_reports, on_team_started, team_changes

    from .contracts import (
        CALENDAR_SIGNAL,
        LAUNCH_SCHOOLWIDE_SIGNAL,
        ROSTER_SIGNAL,
        SCHOOL_ESCALATION_SIGNAL,
        SCHOOL_UPDATES,
        SCHOOL_WORKFLOW,
        STATUS_QUERY,
        TEAM_ESCALATION_SIGNAL,
        TEAM_RETIRE_SIGNAL,
        TEAM_WORKFLOW,
        school_workflow_id,
        team_workflow_id,
    )
    from .messages import TeamWorkflowInput
    from .notices import school_notifications
    from .shell import DeciderShell, accepts

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
@accepts(SCHOOL_UPDATES)
class SchoolAdoptionWorkflow(DeciderShell):
    _decide = staticmethod(decide)
    _evolve = staticmethod(evolve)
    _clock_lag = SCHOOL_CLOCK_LAG  # after its teams (shell._clock_lag)
    _result_type = SchoolCommandResult

    @workflow.init
    def __init__(self, input: SchoolWorkflowInput) -> None:
        self._start_shell(input.state or SchoolState(), input.applied_updates)
        self._started = list(input.started_teams)
        self._history_limit = input.history_limit
        self._to_district: list[RollUpFromSchool] = []
        self._to_teams: list[tuple[str, str, Any]] = []  # (team id, signal, command) owed to started teams
        self._people_to_district: list = []  # issue 9: a new principal, for the district's copy of the school
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

    @workflow.signal(name=ROSTER_SIGNAL)
    def roster_changed(self, change: m.ApplyDistrictRoster) -> None:
        self._apply_signal(change)

    def _execute(self, command) -> list:
        before = self._state
        events = super()._execute(command)
        for e in events:
            if isinstance(e, SchoolCalendarChanged):
                self._tell_teams(self._started, e.by)
            elif isinstance(e, SchoolTeamRetired) and e.team_id in self._started:
                retire = team_commands.RetireTeam(actor=e.by, reason=e.reason, merged_into=e.merged_into)
                self._to_teams.append((e.team_id, TEAM_RETIRE_SIGNAL, retire))
            elif isinstance(e, SchoolTeamRetired):  # retired before it started: it never will, so owes it nothing
                self._to_teams = [x for x in self._to_teams if x[0] != e.team_id]
        if workflow.info().parent is not None:
            self._to_district += [
                RollUpFromSchool(actor="plcflow", school_id=self._state.school.school_id, escalation_id=i, level=lvl, reason=why)
                for i, lvl, why in district_roll_ups(before, events)
            ]
        self._to_teams += [(t, ROSTER_SIGNAL, c) for t, c in team_changes(self._state, events)]
        if workflow.info().parent is not None:
            self._people_to_district += district_reports(self._state, events)
        return events

    def _tell_teams(self, team_ids, actor: str) -> None:
        command = team_commands.ChangeCalendar(actor=actor, calendar=self._state.calendar)
        self._to_teams += [(t, CALENDAR_SIGNAL, command) for t in team_ids]

    def _clock(self):
        return self._keep_clock(lambda: next_tick_at(self._state, workflow.now()), m.SchoolTick)

    def _side_loops(self):
        return [self._launch_forever(), self._report_forever(), self._tell_teams_forever(), self._report_people_forever()]

    def _side_work_pending(self) -> bool:
        return bool(self._unstarted() or self._to_district or self._to_teams or self._people_to_district)

    def _unstarted(self) -> list[str]:
        return unstarted_teams(self._state, self._started)

    async def _tell_teams_forever(self) -> None:
        """Pass on to the teams this school started what they must record, in the order it was decided: a new
        calendar, a change of people, their retirement. A team not started yet is waited for (its registration
        may already carry the change; then the repeat decides nothing)."""
        while True:
            await workflow.wait_condition(lambda: bool(self._to_teams) and self._to_teams[0][0] in self._started)
            team_id, signal, command = self._to_teams[0]
            try:
                await workflow.get_external_workflow_handle(team_workflow_id(team_id)).signal(signal, command)
            except FailureError as err:  # a team whose workflow has ended (retired) has nothing left to record
                self._log().info("signal_not_delivered", team_id=team_id, signal=signal, reason=str(err))
            self._to_teams.pop(0)

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
            self._to_teams += [(t, ROSTER_SIGNAL, c) for t, c in on_team_started(self._state, team_id)]  # issue 9

    async def _report_forever(self) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        while True:
            await workflow.wait_condition(lambda: bool(self._to_district))
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(SCHOOL_ESCALATION_SIGNAL, self._to_district[0])
            self._to_district.pop(0)

    async def _report_people_forever(self) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        while True:
            await workflow.wait_condition(lambda: bool(self._people_to_district))
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(ROSTER_SIGNAL, self._people_to_district[0])
            self._people_to_district.pop(0)

    def _should_continue_as_new(self) -> bool:
        return self._state.school_year != self._year_at_start or self._history_full(self._history_limit)

    def _stream_id(self) -> str:
        return school_workflow_id(self._state.school.school_id)

    def _context(self) -> dict[str, str | None]:
        s = self._state.school
        return {"school_id": s.school_id if s else None, "district_id": self._state.district_id}

    def _notifications(self, first_version: int, batch):
        return school_notifications(self._state, first_version, batch)
