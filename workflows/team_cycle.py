"""One long-lived workflow per team: a thin shell around the inquiry-cycle decider.

Every command is an Update validated by ``decide`` (see ``shell``). An
escalation loop keeps one durable timer on the instant the domain computes
for the next rung and re-arms it only when that instant changes. A team
launched by a school tells it when an escalation reaches the principal or
above (a signal to the parent, which handles repeats). After a closed cycle,
or when history grows, the team continues as new with only its folded state;
once retired (its last event), it ends.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.team import commands as cmd
    from domain.team.decider import decide
    from domain.escalation import RollUp, next_escalation_at, roll_ups
    from domain.rollout.launch import team_start
    from domain.school.commands import RollUpEscalation
    from domain.team.state import TeamState, evolve

    from .contracts import (
        CALENDAR_SIGNAL, ROSTER_SIGNAL, STATUS_QUERY, TEAM_ESCALATION_SIGNAL, TEAM_RETIRE_SIGNAL, TEAM_UPDATES, TEAM_WORKFLOW,
    )
    from .messages import CommandResult, TeamStatus, TeamWorkflowInput
    from .persistence import notifications, stream_id
    from .shell import DeciderShell, accepts

@workflow.defn(name=TEAM_WORKFLOW)
@accepts(TEAM_UPDATES)
class TeamCycleWorkflow(DeciderShell):
    _decide = staticmethod(decide)
    _evolve = staticmethod(evolve)
    _result_type = CommandResult

    @workflow.init
    def __init__(self, input: TeamWorkflowInput) -> None:
        self._start_shell(input.state or TeamState(), input.applied_updates)
        self._closed_at_start = self._state.cycles_closed
        self._history_limit = input.history_limit
        self._roll_ups: list[RollUp] = []
        if self._state.team is None:
            # Here, not in run(): an Update can arrive in the very first
            # workflow task, and its validator must see a registered team.
            for command in team_start(input.registration):
                self._execute(command)

    @workflow.run
    async def run(self, input: TeamWorkflowInput) -> None:
        await self._live()

    def _next_run(self):
        next_input = TeamWorkflowInput(
            state=self._state, applied_updates=self._recent_updates(), history_limit=self._history_limit
        )
        return next_input, {"cycles_closed": self._state.cycles_closed}

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> TeamStatus:
        return TeamStatus(
            state=self._state, persisted_version=self._persisted, run_started_cycles_closed=self._closed_at_start
        )

    @workflow.signal(name=TEAM_RETIRE_SIGNAL)
    def retire(self, command: cmd.RetireTeam) -> None:
        """The school retired this team (retired, merged, or left out of a new year's roster)."""
        self._apply_signal(command)

    @workflow.signal(name=CALENDAR_SIGNAL)
    def calendar_changed(self, command: cmd.ChangeCalendar) -> None:
        """The school passes on the district's new calendar (issue 9); the clock re-arms by itself."""
        self._apply_signal(command)

    @workflow.signal(name=ROSTER_SIGNAL)
    def roster_changed(self, change: cmd.ApplySchoolRoster) -> None:
        """The school (or the district through it) validated a change of people; the team applies it."""
        self._apply_signal(change)

    def _clock(self):
        return self._keep_clock(lambda: next_escalation_at(self._state, workflow.now()), cmd.RaiseDueEscalations)

    def _side_loops(self):
        return [self._report_forever()]

    def _side_work_pending(self) -> bool:
        return bool(self._roll_ups)

    async def _report_forever(self) -> None:
        """Tell the school (our parent, by workflow id: it may have continued as new) what reached its principal."""
        parent = workflow.info().parent
        if parent is None:
            return
        while True:
            await workflow.wait_condition(lambda: bool(self._roll_ups))
            up = self._roll_ups[0]
            notice = RollUpEscalation(actor="plcflow", team_id=self._state.team.team_id, escalation_id=up.escalation_id,
                                      level=up.level, reason=up.reason)
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(TEAM_ESCALATION_SIGNAL, notice)
            self._roll_ups.pop(0)

    def _execute(self, command) -> list:
        before = self._state.escalation
        events = super()._execute(command)
        if workflow.info().parent is not None:
            self._roll_ups += roll_ups(before, events)
        return events

    def _should_continue_as_new(self) -> bool:
        return (self._state.cycles_closed > self._closed_at_start or self._history_full(self._history_limit)
                or self._work_is_over())

    def _work_is_over(self) -> bool:
        return self._state.retired is not None

    def _stream_id(self) -> str:
        return stream_id(self._state.team.team_id)

    def _context(self) -> dict[str, str | None]:
        team = self._state.team
        return {"team_id": team.team_id if team else None, "school_id": team.school_id if team else None}

    def _notifications(self, first_version: int, batch):
        return notifications(self._state, first_version, batch)
