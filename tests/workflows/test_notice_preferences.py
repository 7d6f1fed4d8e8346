"""Issue 10, "Preferences per person", on a running district: the Update ``set_notice_preference`` through the
HTTP API (malformed 422, not allowed 403, refused 409, nothing written) and ``plcflow district notices prefer``
(exit 2 / 1 with the domain's sentence), then projected into ``notice_preferences``."""

from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from activities.projector import Projector
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from app.files import load_district_file
from tests.support.calendars import years_around
from tests.support.cli import plcflow
from tests.support.districts import suffixed
from tests.support.harness import running, settled

EXAMPLE = load_district_file(Path(__file__).resolve().parents[2] / "examples" / "districts" / "justice-county.yaml")


# The API test comes first: after the CLI test's subprocess clients a time-skipping server's clock has been
# seen to stay held (tests/support/cli.py), so this module has a server of its own.
@pytest.fixture
async def harness(private_env, event_store):
    async with running(private_env, event_store) as h:
        yield h


async def started(h) -> tuple[DistrictClient, str]:
    start = suffixed(EXAMPLE, uuid4().hex[:6], years_around((await h.now()).date()).calendar)
    districts = DistrictClient(h.env.client, h.teams._task_queue)
    await districts.start(start)
    return districts, start.district.district_id


async def chosen(h, districts: DistrictClient, district_id: str) -> dict[str, tuple[str, str]]:
    await settled(lambda: districts.status(district_id))  # the district's events are in the log
    await Projector(h.store.pool).catch_up()
    rows = await h.store.pool.fetch("SELECT person_id, delivery, digest FROM notice_preferences WHERE district_id = $1",
                                    district_id)
    return {r["person_id"]: (r["delivery"], r["digest"]) for r in rows}


async def test_the_api_sets_a_preference_for_oneself_or_as_an_admin_and_refuses_the_rest(harness):
    h = harness
    districts, did = await started(h)
    rt = Runtime(h.teams, districts, ReadModels(h.store.pool), TokenStore(h.store.pool))
    teacher = {"Authorization": f"Bearer {await rt.tokens.create('middle.teacher1', 'user', did, ())}"}
    admin = {"Authorization": f"Bearer {await rt.tokens.create('k.admin', 'user', did, ())}"}
    url = f"/v1/districts/{did}/set_notice_preference"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        ok = await client.post(url, headers=teacher, json={"person_id": "middle.teacher1", "delivery": "digest", "digest": "daily"})
        assert ok.status_code == 200 and [e["type"] for e in ok.json()["events"]] == ["NoticePreferenceSet"]
        version = (await districts.status(did)).state.version
        for body, headers, status, detail in [
            ({"person_id": "middle.teacher1", "delivery": "digest", "digest": "daily"}, teacher, 409,
             "middle.teacher1's notices already come in a daily digest."),
            ({"person_id": "middle.teacher2", "delivery": "digest"}, teacher, 403,
             "can choose how someone else's notices reach them; middle.teacher1 is not one."),
            ({"person_id": "x.stranger", "delivery": "digest"}, admin, 409, "x.stranger is not on the staff list of"),
            ({"person_id": "middle.teacher2", "delivery": "hourly"}, admin, 422, "delivery: Input should be"),
        ]:
            r = await client.post(url, headers=headers, json=body)
            assert r.status_code == status and detail in r.json()["detail"], (body, r.text)
        assert (await districts.status(did)).state.version == version  # nothing written
        ok = await client.post(url, headers=admin, json={"person_id": "middle.principal", "delivery": "immediate", "digest": "daily"})
        assert ok.status_code == 200
    assert await chosen(h, districts, did) == {"middle.teacher1": ("digest", "daily"), "middle.principal": ("immediate", "daily")}
    await districts.district(did).terminate("test finished")


async def test_the_cli_sets_a_preference_and_refuses_with_the_domains_sentence(harness):
    h = harness
    districts, did = await started(h)
    prefer = ("district", "notices", "prefer", did, "--person", "high.teacher1")

    code, out = await plcflow(h, *prefer, "--delivery", "digest", "--as", "high.teacher1")
    assert code == 0 and "NoticePreferenceSet" in out, out
    code, out = await plcflow(h, *prefer, "--delivery", "digest", "--as", "high.teacher1")
    assert (code, out) == (1, "Refused: high.teacher1's notices already come in a weekly digest.")
    code, out = await plcflow(h, *prefer, "--delivery", "digest", "--digest", "hourly", "--as", "high.teacher1")
    assert code == 2 and "digest: Input should be 'daily' or 'weekly'" in out
    assert await chosen(h, districts, did) == {"high.teacher1": ("digest", "weekly")}
    await districts.district(did).terminate("test finished")
