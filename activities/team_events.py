"""The activity that appends a team's events (and their outbox rows) to PostgreSQL.

Idempotent by construction: rows are keyed ``(stream_id, version)``, so a retry
after a crash re-appends nothing; different content at a stored version is a
``StreamConflict``, surfaced as a non-retryable failure the workflow refuses
to paper over.
"""

from collections.abc import Sequence

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from . import metrics
from .event_store import EventStore, EventStoreError, NewEvent, Notification

log = structlog.get_logger("plcflow.activities")


class AppendEvents(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    team_id: str | None = None
    school_id: str | None = None
    events: Sequence[NewEvent]
    notifications: Sequence[Notification] = ()


class EventLogActivities:
    def __init__(self, store: EventStore):
        self._store = store

    @activity.defn(name="append_events")
    async def append_events(self, batch: AppendEvents) -> None:
        info = activity.info()
        bound = log.bind(
            workflow_id=info.workflow_id, team_id=batch.team_id, school_id=batch.school_id, stream_id=batch.stream_id
        )
        if info.attempt > 1:
            metrics.APPEND_RETRIES.inc()
        try:
            result = await self._store.append(batch.stream_id, batch.events, batch.notifications)
        except EventStoreError as err:
            metrics.APPENDS_REFUSED.labels(type(err).__name__).inc()
            bound.error("event_append_refused", error=str(err), attempt=info.attempt)
            raise ApplicationError(str(err), type=type(err).__name__, non_retryable=True) from err
        metrics.count_appended(batch.events, result.appended)
        bound.info(
            "events_appended",
            first_version=batch.events[0].version if batch.events else None,
            appended=result.appended,
            already_present=result.already_present,
            notifications=len(batch.notifications),
            attempt=info.attempt,
        )
