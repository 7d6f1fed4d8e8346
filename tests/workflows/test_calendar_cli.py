"""``plcflow calendar`` and the API's calendar routes against a running district (issue 9, "Calendars change").

Dry run by default (days gained and lost, the clocks that move, nothing
written); refusals exit 1 / 409 with the domain's sentence, malformed input
exit 2 / 422, never a traceback; ``--apply`` reaches the team.
"""

from datetime import date, timedelta

import httpx
import pytest

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from tests.support.cli import plcflow
from domain.calendar_change import closed_on, opened_on, rebase
from tests.support.calendars import years_around
from tests.support.harness import eventually, running
from tests.workflows.test_calendar_changes import launched_team



# The API test comes first: after the CLI test's subprocess clients, the module's time-skipping server
# stopped answering get_current_time (its clock held, as conftest's private_env describes).
@pytest.fixture
async def harness(private_env, event_store):
    async with running(private_env, event_store) as h:
        yield h


async def test_the_api_refuses_a_calendar_change_409_and_malformed_422(harness):
    h = harness
    cal = years_around((await h.now()).date()).calendar
    districts, admin, district_id, school_id, team_id = await launched_team(h, cal)
    rt = Runtime(h.teams, DistrictClient(h.env.client, h.teams._task_queue), ReadModels(h.store.pool), TokenStore(h.store.pool))
    token = await rt.tokens.create(admin, "user", district_id, ())
    auth = {"Authorization": f"Bearer {token}"}
    past = cal.local_date(await h.now()) - timedelta(days=1)
    version = (await districts.status(district_id)).state.version
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        refused = await client.post(f"/v1/districts/{district_id}/close_school_day", headers=auth,
                                    json={"on": past.isoformat(), "reason": "Snow"})
        assert refused.status_code == 409 and "school days already elapsed stay elapsed" in refused.text
        malformed = await client.post(f"/v1/districts/{district_id}/close_school_day", headers=auth,
                                      json={"on": "someday", "reason": "Snow"})
        assert malformed.status_code == 422
    assert (await districts.status(district_id)).state.version == version
    for handle in (districts.district(district_id), districts.school(school_id)):
        await handle.terminate("test finished")


async def test_calendar_commands_dry_run_refuse_and_apply(harness, tmp_path):
    h = harness
    cal = years_around((await h.now()).date()).calendar
    districts, admin, district_id, school_id, team_id = await launched_team(h, cal)
    team = (await h.status(team_id)).state
    snow = cal.add_school_days(cal.local_date(await h.now()), 1)
    assert snow < team.due_on
    version = (await districts.status(district_id)).state.version

    code, out = await plcflow(h, "calendar", "close", district_id, snow.isoformat(), "--as", admin, "--reason", "Snow")
    assert code == 0, out
    moved = cal.add_school_days(team.due_on, 1)
    assert f"School days lost: 1 ({snow})" in out and "School days gained: 0" in out
    assert f"team {team_id}: step due date {team.due_on} -> {moved} (+1 school day(s))" in out
    assert "Dry run: nothing was sent." in out

    saturday = next(snow + timedelta(days=n) for n in range(7) if (snow + timedelta(days=n)).weekday() == 5)
    code, out = await plcflow(h, "calendar", "close", district_id, saturday.isoformat(), "--as", admin, "--reason", "Snow")
    assert (code, out) == (1, f"Refused: {saturday} cannot be closed: it is already closed (a weekend day).")
    code, out = await plcflow(h, "calendar", "close", district_id, snow.isoformat(), "--as", "s0.principal", "--reason", "Snow")
    assert code == 1 and "Only a district admin of Staffed District can close a school day; s0.principal is not one." in out
    code, out = await plcflow(h, "calendar", "close", district_id, "tomorrow", "--as", admin, "--reason", "Snow")
    assert (code, out) == (2, "Refused: DATE must be a date like 2027-01-11, not 'tomorrow'")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"timezone: America/Chicago\nschool_years: [{{name: y, start: {snow + timedelta(days=30)}, end: {snow}}}]\n")
    code, out = await plcflow(h, "calendar", "publish", district_id, str(bad), "--as", admin)
    assert code == 2 and f"school_years[0].end: must not be before start ({snow + timedelta(days=30)})" in out
    assert (await districts.status(district_id)).state.version == version  # nothing was written

    code, out = await plcflow(h, "calendar", "close", district_id, snow.isoformat(), "--as", admin, "--reason", "Snow", "--apply")
    assert code == 0 and "Applied: DistrictCalendarChanged" in out, out
    await eventually(lambda: _due(h, team_id, moved), "the team's due date moved by one school day")

    # An .ics feed: the make-up Saturday is a school day; the concert is left out, and said so.
    feed = tmp_path / "district.ics"
    feed.write_text(_ics([("Make-up Day", saturday, None), ("Winter Concert", saturday, "T190000")]))
    code, out = await plcflow(h, "calendar", "publish", district_id, str(feed), "--as", admin, "--school-day", "make-up day")
    assert code == 0, out
    assert f"School days gained: 1 ({saturday})" in out and "Left out of the feed: Winter Concert: not an all-day event" in out
    code, out = await plcflow(h, "calendar", "publish", district_id, str(feed), "--as", admin)
    assert code == 2 and "say which event names mean what" in out
    code, out = await plcflow(h, "calendar", "publish", district_id, str(feed), "--as", admin, "--school-day", "Make-up Day", "--apply")
    assert code == 0 and "Applied" in out
    today = cal.local_date(await h.now())
    snowed = closed_on(cal, snow, "Snow", today)
    expected = rebase(snowed, opened_on(snowed, saturday, "Make-up Day", today), today, moved)
    assert expected == snowed.add_school_days(moved, 0) or expected < moved  # a school day sooner, or the Saturday after it
    await eventually(lambda: _due(h, team_id, expected), "the Saturday counts as a school day")
    for handle in (districts.district(district_id), districts.school(school_id)):
        await handle.terminate("test finished")


async def _due(h, team_id: str, due: date) -> bool:
    return (await h.status(team_id)).state.due_on == due


def _ics(events: list[tuple[str, date, str | None]]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//plcflow//EN"]
    for i, (summary, day, at) in enumerate(events):
        start = f"DTSTART;VALUE=DATE:{day:%Y%m%d}" if at is None else f"DTSTART:{day:%Y%m%d}{at}"
        end = f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}" if at is None else f"DTEND:{day:%Y%m%d}T203000"
        lines += ["BEGIN:VEVENT", f"UID:{i}@test", "DTSTAMP:20260101T000000Z", f"SUMMARY:{summary}", start, end, "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"
