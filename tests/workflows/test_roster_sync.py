"""``plcflow roster import --apply`` against a running rollout (issue 9, "Roster sync").

The CLI (a real subprocess) reads a OneRoster export holding students and a
guardian, prints the dry run, applies it to the district's workflow, and a
second import of the same files changes nothing and says so. Then the whole
database, the district's Temporal history and every log line of the run are
searched for the student's name and ids: nothing.
"""

from pathlib import Path

import pytest
from uuid import uuid4

from app.districts import DistrictClient
from app.files import load_district_file
from bench.oneroster import User, write_export
from tests.unit.test_roster_import import ORGS, STUDENT, everyone_as_today
from tests.support.cli import plcflow
from tests.support.harness import running
from workflows.contracts import district_workflow_id

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"


@pytest.fixture
async def harness(private_env, event_store):
    """A server of its own: the CLI runs as subprocess clients (tests/support/cli.py says why)."""
    async with running(private_env, event_store) as h:
        yield h
SCHOOL_ORGS = {"silver-valley-ms": "org-svm", "silver-valley-es": "org-sve", "silver-valley-hs": "org-svh"}


def _start(suffix: str):
    """Silver Valley under an id of its own (the suite shares one event log), its schools' org ids set."""
    start = load_district_file(EXAMPLES / "silver-valley.yaml")
    schools = tuple(s.model_copy(update={"sourced_id": SCHOOL_ORGS[s.school_id]}) for s in start.district.schools)
    district = start.district.model_copy(update={"district_id": f"sv-{suffix}", "schools": schools})
    return start.model_copy(update={"district": district})


async def _everything_stored(h, district_id: str) -> str:
    async with h.store.pool.acquire() as conn:
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        rows = [await conn.fetch(f'SELECT t::text AS row FROM "{t}" t') for t in tables]
    history = await h.env.client.get_workflow_handle(district_workflow_id(district_id)).fetch_history()
    return "\n".join(r["row"] for table in rows for r in table) + history.to_json()


async def test_an_export_is_applied_once_and_no_student_is_stored_sent_or_logged(harness, tmp_path, capfd):
    h, suffix = harness, uuid4().hex[:6]
    start = _start(suffix)
    district_id = start.district.district_id
    districts = DistrictClient(h.env.client, h.teams._task_queue)
    await districts.start(start)
    users = [u for u in everyone_as_today(start.district) if u.username != "svh.teacher4"]
    users += [User("u-new", "teacher", ("org-sve",), "n.rivera", "n.rivera@sv.example"),
              User("stu-88421", "student", ("org-svm",), "zquintrell", "", *STUDENT),
              User("grd-55317", "guardian", ("org-svm",), "", "family@home.example", "Pat", STUDENT[1])]
    export = write_export(tmp_path / "export", ORGS, users, zip_as=tmp_path / "export.zip")

    code, out = await plcflow(h, "roster", "import", district_id, str(export))
    assert code == 0 and "1 added, 1 leaving" in out and "+ n.rivera (teacher at silver-valley-es)" in out
    assert "- svh.teacher4 leaves" in out and "Skipped 2 rows that are not staff" in out
    assert (await districts.status(district_id)).state.district.person("n.rivera") is None  # a dry run writes nothing

    code, out = await plcflow(h, "roster", "import", district_id, str(export), "--apply", "--as", "svm.principal")
    assert code == 1 and "Only a district admin of Silver Valley School District can import the roster; svm.principal is not one." in out, out
    assert (await districts.status(district_id)).state.district.person("n.rivera") is None  # refused: nothing sent

    code, out = await plcflow(h, "roster", "import", district_id, str(export), "--apply", "--as", "sv.admin")
    assert code == 0 and "Imported: 1 added, 1 leaving" in out, out
    district = (await districts.status(district_id)).state.district
    assert district.person("n.rivera").sourced_id == "u-new" and district.person("svh.teacher4") is None
    assert district.person("svm.teacher1").sourced_id is not None  # matched by username, now linked

    code, out = await plcflow(h, "roster", "import", district_id, str(export), "--apply", "--as", "sv.admin")
    assert code == 0 and "Nothing to change" in out

    stored = await _everything_stored(h, district_id) + "".join(capfd.readouterr())
    for word in (*STUDENT, "zquintrell", "stu-88421", "grd-55317", "family@home.example"):
        assert word not in stored, f"{word!r} was stored, sent or logged"
    assert "n.rivera" in stored  # the search does see what the import wrote
    await districts.district(district_id).terminate("test finished")
