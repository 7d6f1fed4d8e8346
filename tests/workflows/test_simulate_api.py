"""POST /v1/districts/{id}/simulate (issue 12): the report of a simulated year of a running district, which
writes nothing: no Update reaches the rollout, no event reaches its log."""

from uuid import uuid4

import httpx
import pytest

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from app.files import load_district_file
from tests.support.calendars import years_around
from tests.support.districts import suffixed
from tests.support.harness import settled
from workflows.contracts import district_workflow_id

from .test_district_rollout import EXAMPLES


@pytest.fixture
async def district(harness):
    """Silver Valley started (its gates not walked): the district file's people, calendar and policies."""
    cal = years_around((await harness.now()).date()).calendar
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), uuid4().hex[:8], calendar=cal)
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    await districts.start(start)
    rt = Runtime(harness.teams, districts, ReadModels(harness.store.pool), TokenStore(harness.store.pool))
    district_id = start.district.district_id
    tokens = {"admin": await rt.tokens.create("sv.admin", "user", district_id, ()),
              "outsider": await rt.tokens.create("sv.admin", "user", "another-district", ())}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        yield client, tokens, districts, district_id
    await districts.district(district_id).terminate("test finished")


def post(client, token, district_id, body):
    return client.post(f"/v1/districts/{district_id}/simulate", json=body, headers={"Authorization": f"Bearer {token}"})


async def test_the_report_of_a_running_district_compared_with_a_shorter_implement(harness, district):
    client, tokens, districts, district_id = district
    before = await settled(lambda: districts.status(district_id))
    history = len((await districts.district(district_id).fetch_history()).events)
    short = {"name": "short implement", "teams": {"due_school_days": {"implement": 7}}}
    r = await post(client, tokens["admin"], district_id, {"compare": short, "runs": 3})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.text.count("<svg") >= 5 and "short implement" in r.text
    r = await post(client, tokens["admin"], district_id, {"compare": short, "runs": 3, "format": "json"})
    data = r.json()
    assert data["district"] == district_id and data["runs"] == 3 and data["differences"]["raised_principal"] > 0
    after = await districts.status(district_id)
    assert after.state == before.state and after.persisted_version == before.persisted_version
    assert len((await districts.district(district_id).fetch_history()).events) == history  # queries only: no Update
    rows = await harness.store.read_stream(district_workflow_id(district_id))
    assert len(rows) == before.state.version


async def test_a_malformed_plan_is_422_and_another_districts_token_is_403(harness, district):
    client, tokens, _, district_id = district
    r = await post(client, tokens["admin"], district_id, {"policy": {"teams": {"due_school_days": {"implement": -2}}}})
    assert r.status_code == 422 and "implement" in r.json()["detail"]
    r = await post(client, tokens["admin"], district_id, {"runs": 500})
    assert r.status_code == 422
    r = await post(client, tokens["outsider"], district_id, {"runs": 1})
    assert r.status_code == 403
