"""The checks every fault scenario ends with (issue 8), run against the stack the fault hit."""

import asyncio

import httpx

from app.wiring import open_store

from .ledger import Ledger, Outcome, check_answers_match_log, check_exactly_once, check_fold_equals_state, check_read_models, check_streams
from .stack import PYTHON, ROOT, FaultStack, RunStack


async def rebuild_with_the_cli(stack: FaultStack) -> None:
    """``plcflow projections rebuild``: the operator's own rebuild path, in its own process."""
    assert "Rebuilt the read models" in await cli(stack, "projections", "rebuild")


async def cli(stack, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(PYTHON, "-m", "cli.main", *args, cwd=ROOT, env=stack.env(),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, out.decode(errors="replace")
    return out.decode()


async def check_api(stack: FaultStack, ledger: Ledger, team_ids: list[str]) -> None:
    """The API process lived through the fault: its projection of every team and a live read agree with the workflows."""
    token = (await cli(stack, "tokens", "create", "--user", "s.visor", "--district", "silver-valley", "--supervisor")).strip()
    base, auth = f"http://127.0.0.1:{stack.api_port}", {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, headers=auth) as http:
        listed = {t["team_id"]: t["version"] for t in (await http.get(f"{base}/v1/teams")).raise_for_status().json()}
        live = (await http.get(f"{base}/v1/teams/{team_ids[0]}", params={"live": "true"})).raise_for_status().json()
    versions = {t: (await asyncio.wait_for(ledger.teams.status(t), 10)).state.version for t in team_ids}
    assert {t: listed.get(t) for t in team_ids} == versions, "the API's read models disagree with the workflows"
    assert live["version"] == versions[team_ids[0]]


async def verify(stack: "FaultStack | RunStack", ledger: Ledger, team_ids: list[str], tally) -> Outcome:
    """Exactly once, no gaps, fold == state, read models == rebuild; the tally gets the counts first, so a
    failing run still prints what it lost."""
    store = await open_store(stack.database_url)
    try:
        await check_fold_equals_state(ledger.teams, store, team_ids)
        tally.outcome = await check_exactly_once(ledger, store)
        assert (tally.outcome.lost, tally.outcome.duplicated) == (0, 0), tally.text()
        await check_answers_match_log(ledger, store)
        assert await check_streams(store) >= len(team_ids)
        await check_read_models(store, lambda: rebuild_with_the_cli(stack))
        if isinstance(stack, FaultStack):  # `make run` serves no API
            await check_api(stack, ledger, team_ids)
    finally:
        await store.close()
    return tally.outcome
