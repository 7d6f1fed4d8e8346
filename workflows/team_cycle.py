"""One long-lived workflow per team: a thin shell around the inquiry-cycle decider.

Every command is an Update whose validator runs ``decide`` on the current
state, so a refused command writes nothing. Accepted events are folded at
once (later validators see them) and appended to PostgreSQL in order by a
local activity before the Update returns. The escalation ladder is a durable
timer to the instant the domain computes; any state change re-arms it.
"""

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    import structlog

    from activities.team_events import AppendEvents
    from domain import commands as cmd
    from domain.decider import decide
    from domain.errors import DomainError
    from domain.escalation import next_escalation_at
    from domain.events import Event
    from domain.state import TeamState, evolve

    from .messages import UPDATE_NAMES, WORKFLOW_TYPE, CommandResult, TeamStatus, TeamWorkflowInput
    from .persistence import notifications, stream_id, to_rows

# A team lives for years: start a fresh run after every closed cycle, and well
# before Temporal's own limits if a cycle drags on.
MAX_HISTORY_EVENTS = 8_000
APPLIED_UPDATES_KEPT = 500
APPEND_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30))


class EventLogRejected(RuntimeError):
    """Raised (not as ApplicationError) so the workflow task fails and retries:
    the folded state must never run ahead of a log that refused it."""


def _rejection(err: DomainError) -> ApplicationError:
    return ApplicationError(err.reason, type=type(err).__name__, non_retryable=True)


@workflow.defn(name=WORKFLOW_TYPE)
class TeamCycleWorkflow:
    @workflow.init
    def __init__(self, input: TeamWorkflowInput) -> None:
        self._state = input.state or TeamState()
        self._applied = dict(input.applied_updates)
        self._queued: list[Event] = []
        self._persisted = self._state.version  # a new run starts fully persisted
        self._closed_at_start = self._state.cycles_closed
        self._history_limit = input.history_limit
        for command_type, name in UPDATE_NAMES.items():
            self._accept(command_type, name)
        if self._state.team is None:
            # Here, not in run(): an Update can arrive in the very first
            # workflow task, and its validator must see a registered team.
            self._execute(input.registration)
            self._execute(cmd.StartCycle(actor=input.registration.team.facilitator))

    @workflow.run
    async def run(self, input: TeamWorkflowInput) -> None:
        # Two loops: one appends events to PostgreSQL in order, one keeps a
        # single durable timer on the next rung of the ladder. Separate, so a
        # finished append does not re-arm the timer and an update that leaves
        # the due date alone does not touch it.
        persisting = asyncio.create_task(self._persist_forever())
        escalating = asyncio.create_task(self._escalate_forever())
        await workflow.wait_condition(self._should_continue_as_new)
        escalating.cancel()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self._persisted == self._state.version)
        persisting.cancel()
        self._log().info("continuing_as_new", version=self._state.version, cycles_closed=self._state.cycles_closed)
        workflow.continue_as_new(
            TeamWorkflowInput(state=self._state, applied_updates=self._recent_updates(), history_limit=self._history_limit)
        )

    async def _persist_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._queued))
            await self._flush()

    async def _escalate_forever(self) -> None:
        while True:
            wake = next_escalation_at(self._state, workflow.now())
            if wake is not None and wake <= workflow.now():
                if not self._execute(cmd.RaiseDueEscalations()):
                    # The domain says due yet raised nothing: never spin the
                    # workflow task; look again after a state change or an hour.
                    seen = self._state.version
                    with contextlib.suppress(asyncio.TimeoutError):
                        await workflow.wait_condition(lambda: self._state.version != seen, timeout=timedelta(hours=1))
                continue
            try:
                await workflow.wait_condition(
                    lambda: next_escalation_at(self._state, workflow.now()) != wake,
                    timeout=(wake - workflow.now()) if wake else None,
                )
            except asyncio.TimeoutError:
                self._execute(cmd.RaiseDueEscalations())

    @workflow.query(name="status")
    def status(self) -> TeamStatus:
        return TeamStatus(
            state=self._state, persisted_version=self._persisted, run_started_cycles_closed=self._closed_at_start
        )

    # --- the thin shell ---

    def _accept(self, command_type: type[cmd.Command], name: str) -> None:
        """One Update per command, wired from UPDATE_NAMES: its validator runs decide."""

        async def handler(command) -> CommandResult:
            return await self._handle(command)

        def validator(command) -> None:
            self._validate(command)

        # The annotations tell the data converter which pydantic model to build.
        handler.__annotations__ = {"command": command_type, "return": CommandResult}
        validator.__annotations__ = {"command": command_type, "return": None}
        workflow.set_update_handler(name, handler, validator=validator)

    def _validate(self, command: cmd.Command) -> None:
        if workflow.current_update_info().id in self._applied:
            return  # a retried update already applied in an earlier run: answer it, don't re-decide
        try:
            decide(self._state, command, workflow.now())
        except DomainError as err:
            raise _rejection(err) from err

    async def _handle(self, command: cmd.Command) -> CommandResult:
        update_id = workflow.current_update_info().id
        if update_id in self._applied:
            return CommandResult(version=self._applied[update_id], events=[], duplicate=True)
        try:
            events = self._execute(command)
        except DomainError as err:  # state moved between validation and handling
            raise _rejection(err) from err
        self._applied[update_id] = self._state.version
        return CommandResult(version=self._state.version, events=events)

    def _execute(self, command: cmd.Command) -> list[Event]:
        events = decide(self._state, command, workflow.now())
        for event in events:
            self._state = evolve(self._state, event)
        self._queued.extend(events)
        if events:
            self._log().info("team_events", command=type(command).__name__, events=[e.type for e in events],
                             version=self._state.version, actor=command.actor)
        return events

    async def _flush(self) -> None:
        """Append what is queued as one batch. Only the persist loop calls this,
        so one append is in flight at a time and the stream stays in order."""
        batch, self._queued = self._queued, []
        first = self._persisted + 1
        team = self._state.team
        request = AppendEvents(
            stream_id=stream_id(team.team_id),
            team_id=team.team_id,
            school_id=team.school_id,
            events=to_rows(first, batch),
            notifications=notifications(self._state, first, batch),
        )
        try:
            await workflow.execute_activity(
                "append_events", request, start_to_close_timeout=timedelta(seconds=15), retry_policy=APPEND_RETRY
            )
        except ActivityError as err:
            raise EventLogRejected(f"event log refused versions {first}..{first + len(batch) - 1}: {err.cause}") from err
        self._persisted = first + len(batch) - 1

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return (
            self._state.cycles_closed > self._closed_at_start
            or info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._history_limit
        )

    def _recent_updates(self) -> dict[str, int]:
        return dict(list(self._applied.items())[-APPLIED_UPDATES_KEPT:])

    def _log(self):
        team = self._state.team
        logger = structlog.get_logger("plcflow.workflows").bind(
            workflow_id=workflow.info().workflow_id,
            run_id=workflow.info().run_id,
            team_id=team.team_id if team else None,
            school_id=team.school_id if team else None,
        )
        return _ReplaySilent(logger)


class _ReplaySilent:
    """Logs only on first execution: a replayed history must not log its past again."""

    def __init__(self, logger):
        self._logger = logger

    def info(self, event: str, **kw) -> None:
        if not workflow.unsafe.is_replaying():
            self._logger.info(event, **kw)
