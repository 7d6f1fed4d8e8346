"""The checks every fault scenario ends with (issue 8), run against the stack the fault hit."""

import asyncio

from app.wiring import open_store

from .ledger import Ledger, Outcome, check_exactly_once, check_fold_equals_state, check_read_models, check_streams
from .stack import PYTHON, ROOT, FaultStack


async def rebuild_with_the_cli(stack: FaultStack) -> None:
    """``plcflow projections rebuild``: the operator's own rebuild path, in its own process."""
    proc = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "cli.main", "projections", "rebuild", cwd=ROOT, env=stack.env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0 and b"Rebuilt the read models" in out, out.decode(errors="replace")


async def verify(stack: FaultStack, ledger: Ledger, team_ids: list[str], tally) -> Outcome:
    """Exactly once, no gaps, fold == state, read models == rebuild; the tally gets the counts first, so a
    failing run still prints what it lost."""
    store = await open_store(stack.database_url)
    try:
        await check_fold_equals_state(ledger.teams, store, team_ids)
        tally.outcome = await check_exactly_once(ledger, store)
        assert (tally.outcome.lost, tally.outcome.duplicated) == (0, 0), tally.text()
        assert await check_streams(store) >= len(team_ids)
        await check_read_models(store, lambda: rebuild_with_the_cli(stack))
    finally:
        await store.close()
    return tally.outcome
