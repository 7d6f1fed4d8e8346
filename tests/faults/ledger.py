"""What the client was told, and the checks that hold it against the log after a fault.

Each advance carries a marker (a note of letters only: the privacy rules refuse
runs of digits) and its own Update id. The sender retries with the same id
until the workflow answers, as any client must when a fault hides the answer;
a command counts as accepted only when an answer came back. Afterwards the log
must hold each accepted command's marker exactly once (issue 8).
"""

import asyncio
import time
from dataclasses import dataclass, field
from uuid import uuid4

from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from activities.event_store import EventStore
from app.teams import CommandRefused, TeamClient
from domain.team import commands as cmd
from domain.team.commands import RegisterTeam
from domain.calendar import SchoolCalendar
from domain.evidence import Note
from domain.team.policy import EscalationPolicy
from domain.steps import Step
from tests.integration.test_projector import snapshot
from tests.support.builders import EVIDENCE, profile
from workflows.messages import CommandResult
from workflows.persistence import fold_rows, stream_id

from .stack import until

ANSWER_BOUND = 240  # seconds a command may wait for its answer across every fault of a scenario
TRANSIENT = (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError, asyncio.TimeoutError, RuntimeError)


def letters() -> str:
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid4().hex[:16])


def marked(step: Step, marker: str) -> cmd.AdvanceStep:
    """The advance a member would send, with the marker that finds it in the log."""
    evidence = EVIDENCE[step].model_copy(update={"notes": [*EVIDENCE[step].notes, Note(text=f"marker {marker}")]})
    return cmd.AdvanceStep(actor="t.nelson", step=step, evidence=evidence)


@dataclass
class Sent:
    team_id: str
    marker: str
    update_id: str
    result: CommandResult | None = None
    refused: str | None = None
    attempts: int = 0


@dataclass
class Ledger:
    teams: TeamClient
    sent: list[Sent] = field(default_factory=list)

    @property
    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if s.result is not None]

    async def start_teams(self, n: int, calendar: SchoolCalendar, policy: EscalationPolicy | None = None) -> list[str]:
        ids = [f"f-{letters()[:10]}" for _ in range(n)]
        for chunk in range(0, n, 20):  # the dev server starts ~50-95 workflows/s: don't queue them all at once
            await asyncio.wait_for(asyncio.gather(*(self.teams.start(RegisterTeam(
                actor="district.admin", team=profile(t), calendar=calendar, policy=policy or EscalationPolicy()))
                for t in ids[chunk:chunk + 20])), 60)
        return ids

    async def advance(self, team_id: str, step: Step) -> Sent:
        sent = Sent(team_id, letters(), f"fault-{uuid4()}")
        self.sent.append(sent)
        command = marked(step, sent.marker)
        deadline = time.monotonic() + ANSWER_BOUND
        while True:
            sent.attempts += 1
            try:
                sent.result = await asyncio.wait_for(self.teams.send(team_id, command, update_id=sent.update_id), 30)
                return sent
            except CommandRefused as refusal:
                sent.refused = refusal.reason
                return sent
            except (*TRANSIENT, WorkflowUpdateFailedError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"no answer for {sent.update_id} on {team_id} in {ANSWER_BOUND} s") from None
                await asyncio.sleep(0.5)

    async def advance_through(self, team_id: str, steps: list[Step]) -> None:
        """A team advances one step after the other, as its members would."""
        for step in steps:
            await self.advance(team_id, step)


@dataclass(frozen=True)
class Outcome:
    accepted: int
    lost: int
    duplicated: int


async def markers_in_log(store: EventStore) -> dict[str, int]:
    rows = await store.pool.fetch(
        """SELECT n->>'text' AS text FROM events, jsonb_array_elements(data->'evidence'->'notes') n
            WHERE type = 'StepCompleted' AND n->>'text' LIKE 'marker %'""")
    counts: dict[str, int] = {}
    for r in rows:
        marker = r["text"].removeprefix("marker ")
        counts[marker] = counts.get(marker, 0) + 1
    return counts


async def check_exactly_once(ledger: Ledger, store: EventStore) -> Outcome:
    """Every accepted command's marker once in the log; a refused one's not at all."""
    counts = await markers_in_log(store)
    lost = [s for s in ledger.accepted if counts.get(s.marker, 0) == 0]
    duplicated = [s for s in ledger.accepted if counts.get(s.marker, 0) > 1]
    written_though_refused = [s.update_id for s in ledger.sent if s.refused is not None and counts.get(s.marker)]
    assert not written_though_refused, f"refused but stored: {written_though_refused[:3]}"
    return Outcome(len(ledger.accepted), len(lost), len(duplicated))


async def check_answers_match_log(ledger: Ledger, store: EventStore) -> None:
    """Each answer's events are the log's, at the versions the answer named."""
    for s in ledger.accepted:
        if s.result.duplicate:
            continue  # answered from the applied-ids record across runs: no events to compare
        first = s.result.version - len(s.result.events) + 1
        rows = (await store.read_stream(stream_id(s.team_id), first))[: len(s.result.events)]
        assert [r.data for r in rows] == [e.model_dump(mode="json") for e in s.result.events], \
            f"{s.update_id}: the log does not hold, at versions {first}..{s.result.version}, the events its answer named"


async def check_streams(store: EventStore) -> int:
    """No version gap or duplicate in any stream: versions run 1..n."""
    rows = await store.pool.fetch(
        "SELECT stream_id, count(*) AS n, count(DISTINCT version) AS d, min(version) AS lo, max(version) AS hi FROM events GROUP BY 1")
    broken = [dict(r) for r in rows if not (r["n"] == r["d"] == r["hi"] and r["lo"] == 1)]
    assert not broken, f"streams with gaps or duplicates: {broken[:5]}"
    return len(rows)


async def check_fold_equals_state(teams: TeamClient, store: EventStore, team_ids: list[str]) -> None:
    """fold(stream) equals the state the workflow reports, for every team, once its events are all persisted."""
    for team_id in team_ids:
        status = await until(lambda: _settled(teams, team_id), f"team {team_id} to persist its events", timeout=90)
        rows = await store.read_stream(stream_id(team_id))
        assert fold_rows(rows) == status.state, f"team {team_id}: fold of the log differs from the workflow's state"


async def _settled(teams: TeamClient, team_id: str):
    try:
        status = await asyncio.wait_for(teams.status(team_id), 10)
    except TRANSIENT:
        return None
    return status if status.persisted_version == status.state.version else None


async def check_read_models(store: EventStore, rebuild) -> None:
    """Once the live projector has caught up, its read models equal a rebuild from the log."""
    async def caught_up() -> bool:
        behind = await store.pool.fetchval(
            """SELECT count(*) FROM (SELECT stream_id, max(version) AS v FROM events GROUP BY 1) e
               LEFT JOIN projection_checkpoints c USING (stream_id) WHERE coalesce(c.version, 0) < e.v""")
        return behind == 0

    await until(caught_up, "the projector to catch up with the log", timeout=90)
    live = await snapshot(store.pool)
    await rebuild()
    assert await snapshot(store.pool) == live, "the live read models differ from a rebuild of the log"
