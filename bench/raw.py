"""The raw engine baseline: a workflow whose Update does nothing.

Benchmarks divide our figures by this one's, measured on the same server in
the same run, so machine noise cancels out.
"""

from temporalio import workflow


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
