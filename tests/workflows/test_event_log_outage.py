"""After PostgreSQL comes back, the log catches up within 10 s (issue 8, defect 13).

A fake ``append_events`` under the real name fails like an unreachable
database until a given instant on the server's clock, then succeeds. The
time-skipping server skips the retry backoff, so a 90 s outage takes no
real time; the first successful attempt must come within 10 s of the end.
"""

from datetime import datetime, timedelta

from temporalio import activity

from activities.team_events import AppendEvents
from tests.support.harness import running

OUTAGE = timedelta(seconds=90)
CATCH_UP = timedelta(seconds=10)


class DatabaseAway:
    """Refuses every attempt scheduled before ``back_at``; records when the attempts ran."""

    def __init__(self) -> None:
        self.back_at: datetime | None = None
        self.succeeded_at: list[datetime] = []
        self.attempts = 0

    @activity.defn(name="append_events")
    async def append_events(self, batch: AppendEvents) -> None:
        self.attempts += 1
        scheduled = activity.info().current_attempt_scheduled_time
        if self.back_at is None or scheduled < self.back_at:
            raise ConnectionError("connection refused: the database is away")
        self.succeeded_at.append(scheduled)


async def test_appends_catch_up_within_ten_seconds_after_the_database_returns(env, event_store):
    db = DatabaseAway()
    async with running(env, event_store, "plcflow-outage", [db.append_events]) as h:
        db.back_at = await h.now() + OUTAGE
        await h.start(await h.layout())
        await h.env.sleep(OUTAGE + timedelta(seconds=60))
        assert db.attempts > 5 and db.succeeded_at, "the append never got through"
        assert db.succeeded_at[0] - db.back_at <= CATCH_UP
