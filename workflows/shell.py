"""What every plcflow workflow does around its domain decider, written once.

A workflow holds one folded state. Each command arrives as an Update whose
validator runs ``decide`` (a refusal writes nothing); the handler folds the
events at once and queues them; a persist loop appends them to PostgreSQL in
order with the ``append_events`` activity, one batch in flight at a time.
Update ids already applied are remembered across continue-as-new, so a
client's retry is answered, not applied twice. The shell owns each run's
lifecycle (``_live``): it starts the background loops, watches them through
the run and the drain, and continues as new; subclasses name their stream,
their log context, their notifications, their clock and other loops, when a
run ends and what the next run receives.
"""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    import structlog
    from pydantic import BaseModel

    from activities.event_store import Notification
    from activities.team_events import AppendEvents
    from domain.errors import DomainError
    from domain.ladder import TEAM_CLOCK_LAG

    from .persistence import to_rows

APPLIED_UPDATES_KEPT = 500
CLOCK_LAG_PATCH = "clock-lag-per-level"
# After PostgreSQL comes back the log must catch up within 10 s (issue 8, defect 13). The
# wait after a failed attempt is at most maximum_interval, and an attempt against a database
# that is away fails at once (connection refused), so 5 s of backoff plus one append stays
# well inside 10 s. The uncapped growth to 30 s made catching up take ~33 s. A retry every
# 5 s per waiting workflow is cheap next to the outage it rides out.
APPEND_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=5))


class EventLogRejected(RuntimeError):
    """Raised (not as ApplicationError) so the workflow task fails and retries:
    the folded state must never run ahead of a log that refused it."""


class LoopDied(RuntimeError):
    """A background loop ended with an error. Raised from ``run`` (never as an ApplicationError)
    so the workflow task fails and retries, visible in the Web UI, instead of the workflow
    accepting Updates it no longer persists or escalates (issue 8, defect 1)."""


def rejection(err: DomainError) -> ApplicationError:
    return ApplicationError(err.reason, type=type(err).__name__, non_retryable=True)


def accepts(updates: dict[type, str]) -> Callable[[type], type]:
    """One Update per command type, its validator running decide, defined on the class (below ``workflow.defn``).

    Issue 13: set per instance with ``workflow.set_update_handler`` (15 for a team), each
    definition read its handler's signature and type hints again for every run and every replay,
    a seventh of the team workflow's own time in ``make bench-scale``; on the class, once per
    process. The names, validators and handlers are the same, so histories replay unchanged.
    """

    def define(cls: type) -> type:
        for command_type, name in updates.items():
            async def handler(self, command):
                return await self._handle(command)

            def validator(self, command) -> None:
                self._validate(command)

            # The annotations tell the data converter which pydantic model to build.
            handler.__annotations__ = {"command": command_type, "return": cls._result_type}
            validator.__annotations__ = {"command": command_type, "return": None}
            attribute = f"_update_{name}"
            handler.__name__ = handler.__qualname__ = attribute
            update = workflow.update(name=name)(handler)
            update.validator(validator)
            setattr(cls, attribute, update)
        return cls

    return define


class DeciderShell:
    _decide: Callable[[Any, Any, Any], list]
    _evolve: Callable[[Any, Any], Any]
    _result_type: type[BaseModel]

    def _start_shell(self, state: Any, applied: dict[str, int]) -> None:
        self._state = state
        self._applied = dict(applied)
        self._queued: list = []
        self._persisted = state.version  # a new run starts fully persisted

    # --- subclasses say where events go ---

    def _stream_id(self) -> str:
        raise NotImplementedError

    def _context(self) -> dict[str, str | None]:
        """Ids for logs and the append request (workflow, team, school, district)."""
        raise NotImplementedError

    def _notifications(self, first_version: int, batch: Sequence) -> list[Notification]:
        return []

    # --- subclasses say how a run lives and ends ---

    def _clock(self) -> Coroutine:
        """The loop that keeps the durable timers; stopped when the run starts to drain."""
        raise NotImplementedError

    def _side_loops(self) -> list[Coroutine]:
        """Loops that must keep going through the drain (reporting to a parent, launching children)."""
        return []

    def _should_continue_as_new(self) -> bool:
        raise NotImplementedError

    def _side_work_pending(self) -> bool:
        """Work the side loops still owe before the run may end."""
        return False

    def _next_run(self) -> tuple[BaseModel, dict[str, Any]]:
        """The input of the next run, and what to log about this one as it ends."""
        raise NotImplementedError

    def _work_is_over(self) -> bool:
        """The aggregate's last event is in: end the workflow after the drain instead of continuing as new."""
        return False

    # --- the lifecycle, the same for every workflow ---

    async def _live(self) -> None:
        """Start the loops, watch them through the run and the drain, then continue as new (or end,
        once the aggregate's work is over: a retired team).

        Creation and cancellation order are those the workflows had before the
        shell owned them (persist, clock, then side loops): recorded histories
        keep replaying command for command.
        """
        loops = {"persist": self._persist_forever(), "clock": self._clock()}
        loops.update({coro.__name__.strip("_"): coro for coro in self._side_loops()})
        tasks = {name: asyncio.create_task(coro) for name, coro in loops.items()}
        await self._supervise(tasks, self._should_continue_as_new)
        tasks["clock"].cancel()
        await self._supervise(tasks, lambda: self._drained() and not self._side_work_pending())
        for task in tasks.values():
            task.cancel()
        if self._work_is_over():
            self._log().info("workflow_completed", version=self._state.version)
            return
        next_input, progress = self._next_run()
        self._log().info("continuing_as_new", version=self._state.version, **progress)
        workflow.continue_as_new(next_input)

    # --- Updates ---

    def _validate(self, command) -> None:
        if workflow.current_update_info().id in self._applied:
            return  # a retried update already applied in an earlier run: answer it, don't re-decide
        try:
            type(self)._decide(self._state, command, workflow.now())
        except DomainError as err:
            raise rejection(err) from err

    async def _handle(self, command):
        update_id = workflow.current_update_info().id
        if update_id in self._applied:
            return self._result_type(version=self._applied[update_id], events=[], duplicate=True)
        try:
            events = self._execute(command)
        except DomainError as err:  # state moved between validation and handling
            raise rejection(err) from err
        self._applied[update_id] = self._state.version
        return self._result_type(version=self._state.version, events=events)

    def _apply_signal(self, command) -> None:
        """A command that came by signal (from a parent or a child): it cannot be refused like an Update, so a
        refusal (a repeat, or what the sender validated no longer holding) is logged, never fails the task."""
        try:
            self._execute(command)
        except DomainError as err:
            self._log().info("signal_refused", command=type(command).__name__, reason=err.reason)

    def _execute(self, command) -> list:
        events = type(self)._decide(self._state, command, workflow.now())
        for event in events:
            self._state = type(self)._evolve(self._state, event)
        self._queued.extend(events)
        if events:
            self._log().info("domain_events", command=type(command).__name__, events=[e.type for e in events],
                             version=self._state.version, actor=command.actor)
        return events

    # --- the clock ---

    # How long after the domain's instant this level's timer fires. Teams, schools and the
    # district all wake at the district's ``notify_at``; the school wakes a minute after its
    # teams and the district a minute after its schools, so each level's morning starts with
    # what the level below reported that morning (a team's escalation reaches its school
    # before the school's own tick, a school's roll-up reaches the district before its tick).
    # It also means a signal from below never lands on the very instant the receiver's timer
    # fires: the time-skipping test server cannot handle a task that cancels a timer which
    # fired while the task was running (temporalio/sdk-java#3088; a real server can).
    _clock_lag = TEAM_CLOCK_LAG  # the levels' lags are the domain's (domain.ladder), read by the simulator too

    async def _keep_clock(self, next_wake: Callable[[], Any], tick: Callable[[], Any]) -> None:
        """One durable timer on the next instant the domain has something to do (a rung, a term,
        a wave, a school year) plus this level's lag; re-armed only when that instant changes.

        A run begun before the lag existed has no ``CLOCK_LAG_PATCH`` marker and keeps firing on
        the instant itself, so its recorded timers replay unchanged (issue 8, defect 15).
        """
        lag = self._clock_lag if self._clock_lag and workflow.patched(CLOCK_LAG_PATCH) else timedelta(0)
        while True:
            wake = next_wake()
            if wake is not None and wake <= workflow.now():  # already due: at once, no lag
                if not self._execute(tick()):
                    # The domain says due yet decided nothing: never spin the
                    # workflow task; look again after a state change or an hour.
                    seen = self._state.version
                    with contextlib.suppress(asyncio.TimeoutError):
                        await workflow.wait_condition(lambda: self._state.version != seen, timeout=timedelta(hours=1))
                continue
            try:
                timeout = (wake + lag - workflow.now()) if wake else None
                await workflow.wait_condition(lambda: next_wake() != wake, timeout=timeout)
            except asyncio.TimeoutError:
                self._execute(tick())  # the instant (and this level's lag) has come

    # --- the event log ---

    async def _persist_forever(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._queued))
            await self._flush()

    async def _flush(self) -> None:
        """Append what is queued as one batch; only the persist loop calls this."""
        batch, self._queued = self._queued, []
        first = self._persisted + 1
        ctx = self._context()
        request = AppendEvents(
            stream_id=self._stream_id(),
            team_id=ctx.get("team_id"),
            school_id=ctx.get("school_id"),
            events=to_rows(first, batch),
            notifications=self._notifications(first, batch),
        )
        try:
            await workflow.execute_activity(
                "append_events", request, start_to_close_timeout=timedelta(seconds=15), retry_policy=APPEND_RETRY
            )
        except ActivityError as err:
            raise EventLogRejected(f"event log refused versions {first}..{first + len(batch) - 1}: {err.cause}") from err
        self._persisted = first + len(batch) - 1

    async def _supervise(self, tasks: dict[str, asyncio.Task], until: Callable[[], bool]) -> None:
        """Wait for ``until``; a background loop that died must not die silently: raise ``LoopDied``
        here, which fails the workflow task (retried, visible in the Web UI)."""

        def failed() -> tuple[str, BaseException] | None:
            for name, t in tasks.items():
                if t.done() and not t.cancelled() and t.exception() is not None:
                    return name, t.exception()
            return None

        await workflow.wait_condition(lambda: until() or failed() is not None)
        if (death := failed()) is not None:
            name, err = death
            raise LoopDied(f"the {name} loop died: {err}") from err

    def _drained(self) -> bool:
        return workflow.all_handlers_finished() and self._persisted == self._state.version

    def _history_full(self, limit: int) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit

    def _recent_updates(self) -> dict[str, int]:
        return dict(list(self._applied.items())[-APPLIED_UPDATES_KEPT:])

    def _log(self):
        info = workflow.info()
        logger = structlog.get_logger("plcflow.workflows").bind(
            workflow_id=info.workflow_id, run_id=info.run_id, **self._context()
        )
        return _ReplaySilent(logger)


class _ReplaySilent:
    """Logs only on first execution: a replayed history must not log its past again."""

    def __init__(self, logger):
        self._logger = logger

    def info(self, event: str, **kw) -> None:
        if not workflow.unsafe.is_replaying():
            self._logger.info(event, **kw)
