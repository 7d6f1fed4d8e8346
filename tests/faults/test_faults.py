"""Faults injected into the real embedded stack, one per scenario (issue 8: "a fault suite the project runs itself").

Each scenario starts its own stack (Temporal dev server, PostgreSQL, worker,
projector, HTTP API, each its own process), sends commands as a client would
(retrying with the same Update id when a fault hides the answer), injects its
fault, and ends with the same checks: every accepted command in the log
exactly once, no version gaps, fold(stream) == the workflow's state, read
models == a rebuild. ``make test-faults`` prints one line per scenario and the
total.
"""

import asyncio
from datetime import date

import pytest

from domain.steps import Step
from tests.support.calendars import layout_around

from .checks import verify
from .ledger import Ledger
from .stack import BOUND, FaultStack, until

pytestmark = pytest.mark.faults


def school_calendar():
    return layout_around(date.today()).calendar


async def test_worker_killed_during_200_concurrent_advances(stack: FaultStack, ledger: Ledger, tally):
    teams = await ledger.start_teams(200, school_calendar())
    advancing = asyncio.gather(*(ledger.advance(t, Step.IDENTIFY_FOCUS) for t in teams))
    await until(lambda: _answered(ledger, 40), "the first 40 answers")
    stack.kill("worker")
    in_flight = 200 - len(ledger.accepted)
    await asyncio.sleep(2)
    stack.start_worker()
    await asyncio.wait_for(advancing, BOUND * 4)
    assert in_flight > 0, "the worker died after every advance was answered: the fault hit nothing"
    tally.detail = f"killed with {in_flight} unanswered, {sum(s.attempts > 1 for s in ledger.sent)} retried"
    await verify(stack, ledger, teams, tally)
    assert len(ledger.accepted) == 200


async def _answered(ledger: Ledger, n: int) -> bool:
    return len(ledger.accepted) >= n
