"""Nothing lost, nothing doubled: retries and worker restarts on the way to PostgreSQL."""


from activities.event_store import EventStore
from domain.team import commands as cmd
from domain.steps import Step
from tests.support.harness import running


class CommitsThenLosesTheReply(EventStore):
    """Appends for real, then fails the first few calls as if the connection dropped after COMMIT."""

    def __init__(self, real: EventStore, failures: int):
        super().__init__(real._pool)
        self.failures = failures
        self.calls = 0

    async def append(self, stream_id, events, notifications=()):
        self.calls += 1
        result = await super().append(stream_id, events, notifications)
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("connection lost after commit")
        return result


async def test_an_append_retried_after_commit_stores_each_event_once(env, event_store):
    flaky = CommitsThenLosesTheReply(event_store, failures=3)
    async with running(env, flaky, prefix="plcflow-flaky") as h:
        h.store = event_store  # read back through the plain store
        team = await h.start(await h.layout())
        await h.advance(team, Step.IDENTIFY_FOCUS)
        await h.send(team, cmd.RecordDecision(actor="t.nelson", kind="lateral", summary="Tuesdays"))
        status = await h.assert_log_matches(team)
        assert flaky.calls > 3 and status.state.version == 6
