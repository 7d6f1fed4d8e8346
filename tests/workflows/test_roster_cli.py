"""Roster changes from the command line and the HTTP API (issue 9): a refusal exits 1 (409/403) with one
sentence and writes nothing; malformed input exits 2 (422); an accepted change is in the team's log."""


import httpx
import pytest

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from tests.support.cli import plcflow
from tests.support.harness import running



async def test_the_principal_changes_the_roster_from_the_command_line_and_others_are_refused(harness):
    h = harness
    team = await h.start(await h.layout())
    version = (await h.status(team)).state.version

    code, out = await plcflow(h, "team", "member", "add", team, "j.okafor", "--as", "t.nelson")
    assert code == 1 and "Only p.rivera, the principal of Grade 7 Math, can change who is on it; t.nelson is not." in out
    code, out = await plcflow(h, "team", "member", "replace", team, "--leaving", "d.slavit", "--joining", "Not An Id", "--as", "p.rivera")
    assert code == 2 and "joining: 'Not An Id' is not a valid id" in out and "Traceback" not in out
    assert (await h.status(team)).state.version == version  # nothing written

    assert (await plcflow(h, "team", "member", "add", team, "j.okafor", "--as", "p.rivera"))[0] == 0
    assert (await plcflow(h, "team", "member", "replace", team, "--leaving", "d.slavit", "--joining", "m.ruiz", "--as", "p.rivera"))[0] == 0
    assert (await plcflow(h, "team", "member", "remove", team, "a.deuel", "--as", "p.rivera"))[0] == 0
    code, out = await plcflow(h, "team", "facilitator", team, "m.garcia", "--as", "p.rivera")
    assert code == 0 and "FacilitatorChanged" in out
    state = (await h.assert_log_matches(team)).state
    assert state.team.members == ("t.nelson", "m.ruiz", "j.okafor") and state.team.facilitator == "m.garcia"


@pytest.fixture
async def harness(private_env, event_store):
    """A server of its own: the CLI runs as subprocess clients (tests/support/cli.py says why)."""
    async with running(private_env, event_store) as h:
        yield h


@pytest.fixture
async def api(harness):
    rt = Runtime(harness.teams, DistrictClient(harness.env.client, harness.teams._task_queue),
                 ReadModels(harness.store.pool), TokenStore(harness.store.pool))
    tokens = {user: await rt.tokens.create(user, "user", "silver-valley", ()) for user in ("p.rivera", "t.nelson")}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        yield client, tokens


async def test_the_add_member_route_answers_403_409_and_422_and_writes_nothing(harness, api):
    client, tokens = api
    h = harness
    team = await h.start(await h.layout())
    version = (await h.status(team)).state.version
    route = f"/v1/teams/{team}/add_member"

    def as_(user):
        return {"Authorization": f"Bearer {tokens[user]}"}

    refused = await client.post(route, json={"member": "j.okafor"}, headers=as_("t.nelson"))
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Only p.rivera, the principal of Grade 7 Math")
    twice = await client.post(route, json={"member": "d.slavit"}, headers=as_("p.rivera"))
    assert twice.status_code == 409 and twice.json()["detail"] == "d.slavit is already a member of Grade 7 Math."
    malformed = await client.post(route, json={"member": "Not An Id"}, headers=as_("p.rivera"))
    assert malformed.status_code == 422
    assert (await h.status(team)).state.version == version  # nothing written
    added = await client.post(route, json={"member": "j.okafor"}, headers=as_("p.rivera"))
    assert added.status_code == 200 and [e["type"] for e in added.json()["events"]] == ["MemberAdded"]
    await h.assert_log_matches(team)
