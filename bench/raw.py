"""The engine baselines the benchmarks divide by, measured on the same server in the same run.

``RawNoop``: an Update that does nothing (the raw engine). ``FloorOneActivity``:
an Update that runs one no-op activity, the floor of any design that persists
each advance outside Temporal (issue 8, benchmark).
"""

from datetime import timedelta

from temporalio import activity, workflow


@workflow.defn(name="RawNoop")
class RawNoopWorkflow:
    def __init__(self) -> None:
        self._count = 0
        self._done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._done)
        return self._count

    @workflow.update
    async def noop(self, value: int) -> int:
        self._count += 1
        return value

    @noop.validator
    def _validate_noop(self, value: int) -> None:
        if value < 0:
            raise ValueError("negative")

    @workflow.signal
    def finish(self) -> None:
        self._done = True

    @workflow.query
    def count(self) -> int:
        """The raw engine's status query (``bench.scale``: recovery after a worker SIGKILL)."""
        return self._count


@activity.defn(name="bench_noop")
async def noop_activity(value: int) -> int:
    return value


@workflow.defn(name="FloorOneActivity")
class FloorWorkflow:
    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    async def advance(self, value: int) -> int:
        return await workflow.execute_activity(noop_activity, value, start_to_close_timeout=timedelta(seconds=30))

    @advance.validator
    def _validate_advance(self, value: int) -> None:
        if value < 0:
            raise ValueError("negative")

    @workflow.signal
    def finish(self) -> None:
        self._done = True


@workflow.defn(name="RawBulk")
class RawBulkWorkflow:
    """The raw engine for a bulk command: an Update that takes a payload as large as ours and keeps nothing."""

    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    async def take(self, items: dict) -> int:
        return len(items)

    @workflow.signal
    def finish(self) -> None:
        self._done = True
