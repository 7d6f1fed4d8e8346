"""The district admin's roster import and calendar publish screens in a real Chromium (issue 11, "District admin":
"the roster import and calendar publish screens with their dry runs"; issue 9 for what they do).

A dry run shows the changes and writes nothing (the district's version and stream stay put); Apply writes exactly
them; a student in the export never reaches the page; a broken file lists its mistakes with their paths; a teacher
is refused with a 403 page; an Apply that does not come from a dry run is refused. Every page is checked with
axe-core; `PLCFLOW_SCREENSHOT=1` refreshes docs/web-roster-*.png."""

import io
import os
import zipfile
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import yaml

from activities.projector import Projector
from app.districts import DistrictClient
from domain.rollout import commands as c
from bench.oneroster import User, write_export
from tests.support.calendars import years_around
from tests.support.harness import settled
from tests.support.web import DESKTOP, DOCS, PHONE, assert_accessible, chromium, runtime, screenshot, serving, sign_in
from tests.unit.test_roster_import import ORGS, STUDENT, everyone_as_today
from tests.workflows.test_calendar_cli import _ics
from tests.workflows.test_web_admin import ADMIN, TEACHER, district_start, email, issuer, written  # noqa: F401 (fixture)

ORG_OF = {"silver-valley-ms": "org-svm", "silver-valley-es": "org-sve", "silver-valley-hs": "org-svh"}
SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-roster-phone.png").exists()


async def started(harness) -> tuple[str, str, DistrictClient]:
    """Silver Valley (seed 002) under ids of its own, its schools linked to their OneRoster orgs, its people projected."""
    suffix = uuid4().hex[:8]
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    start = district_start(suffix, years_around((await harness.now()).date()).calendar)
    schools = tuple(s.model_copy(update={"sourced_id": ORG_OF[s.school_id.removesuffix(f"-{suffix}")]})
                    for s in start.district.schools)
    start = start.model_copy(update={"district": start.district.model_copy(update={"schools": schools})})
    await districts.start(start)
    district_id = start.district.district_id
    await settled(lambda: districts.status(district_id))
    await Projector(harness.store.pool).catch_up()
    return suffix, district_id, districts


def export_zip(tmp_path, district, users_extra=(), drop=()) -> bytes:
    users = [u for u in everyone_as_today(district) if u.username not in drop] + list(users_extra)
    return write_export(tmp_path / "export", ORGS, users, zip_as=tmp_path / "export.zip").read_bytes()


def upload(name: str, body: bytes, kind: str = "application/zip") -> dict:
    return {"name": name, "mimeType": kind, "buffer": body}


async def check(page, field: str, f: dict, button: str) -> int:
    await page.set_input_files(field, files=[f])
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name=button).click()
    return (await navigation.value).status


async def test_a_roster_dry_run_writes_nothing_and_apply_imports_what_it_showed(harness, issuer, tmp_path):
    suffix, district_id, districts = await started(harness)
    district = (await districts.status(district_id)).state.district
    newcomer = User("u-new", "teacher", ("org-sve",), "n.rivera", "n.rivera@sv.example")
    student = User("stu-88421", "student", ("org-svm",), "zquintrell", "", *STUDENT)
    guardian = User("grd-55317", "guardian", ("org-svm",), "", "family@home.example", "Pat", STUDENT[1])
    good = export_zip(tmp_path / "good", district, (newcomer, student, guardian), drop=("svh.teacher4",))
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(ADMIN, suffix), start=f"/districts/{district_id}")
        await page.get_by_role("link", name="Import the roster").click()
        assert page.url == f"{base}/districts/{district_id}/roster"
        await assert_accessible(page)

        # A broken export: its mistake with its file, line and column; nothing written.
        before = await written(harness, districts, district_id)
        broken = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as z, zipfile.ZipFile(broken, "w") as out:
            for name in z.namelist():
                body = z.read(name).decode()
                out.writestr(name, body.replace(",teacher,", ",teachr,", 1) if name.endswith("roles.csv") else body)
        assert await check(page, "#f-export", upload("broken.zip", broken.getvalue()), "Check the export (dry run)") == 422
        listed = [" ".join(t.split()) for t in await page.locator(".problems li").all_inner_texts()]
        assert len(listed) == 1 and listed[0].startswith("roles.csv, line ") and "(role): 'teachr' is not a OneRoster role" in listed[0]
        assert await page.locator("#form-apply").count() == 0
        await assert_accessible(page)
        assert await check(page, "#f-export", upload("notes.zip", b"not a zip"), "Check the export (dry run)") == 422
        assert "notes.zip is not a readable zip file" in await page.locator(".problems").inner_text()

        # An export the domain refuses (a principal leaving): the dry run with the domain's sentence, no Apply, nothing written.
        headless = export_zip(tmp_path / "headless", district, drop=("svh.principal",))
        assert await check(page, "#f-export", upload("export.zip", headless), "Check the export (dry run)") == 409
        refusal = " ".join((await page.locator("#refused").inner_text()).split())
        assert refusal == ("Refused: nothing was written The roster import cannot be applied: svh.principal leaves but is "
                           "the principal of Silver Valley High School: name a new principal there first.")
        assert "svh.principal" in await page.locator("section", has=page.locator("#dry-heading")).inner_text()
        assert await page.locator("#form-apply").count() == 0
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)

        # The dry run: the same content the CLI prints, no student anywhere on the page, nothing written.
        assert await check(page, "#f-export", upload("export.zip", good), "Check the export (dry run)") == 200
        dry = await page.locator("main").inner_text()
        assert await page.locator(".counts li").all_inner_texts() == [
            "1 added", "1 leaving", "0 role changes", "0 moves", f"{len(district.people) - 1} linked"]
        assert f"n.rivera (teacher at silver-valley-es-{suffix})" in dry and "svh.teacher4" in dry
        assert "Skipped 2 rows that are not staff" in dry
        html = await page.content()
        for word in (*STUDENT, "zquintrell", "stu-88421", "grd-55317", "family@home.example"):
            assert word not in html, f"{word!r} reached the page"
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.set_viewport_size(viewport)
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if SHOOT:
                await screenshot(page, f"web-roster-{width}.png")
        await page.set_viewport_size(DESKTOP)

        # An Apply not from a dry run (its carried changes altered) is refused and writes nothing.
        csrf = await page.locator("#form-apply input[name=csrf]").input_value()
        carried = await page.locator("#form-apply input[name=carried]").input_value()
        forged = await page.request.post(f"{base}/districts/{district_id}/roster/apply",
                                         form={"csrf": csrf, "carried": carried[:-3] + "xyz"})
        assert forged.status == 422 and "does not come from a dry run" in await forged.text()
        assert await written(harness, districts, district_id) == before

        # Apply: exactly the changes shown.
        async with page.expect_navigation():
            await page.get_by_role("button", name="Apply these changes").click()
        assert await page.get_by_role("status").inner_text() == \
            f"Imported: 1 added, 1 leaving, 0 role changes, 0 moves, {len(district.people) - 1} linked."
        await assert_accessible(page)
        after = (await districts.status(district_id)).state.district
        assert after.person("n.rivera").school == f"silver-valley-es-{suffix}" and after.person("svh.teacher4") is None
        assert after.person(TEACHER).sourced_id is not None

        # The same export again: nothing to change, and no Apply offered.
        assert await check(page, "#f-export", upload("export.zip", good), "Check the export (dry run)") == 200
        assert "Nothing to change: the district's people already match the export." in await page.locator("main").inner_text()
        assert await page.locator("#form-apply").count() == 0

        # A teacher: the 403 page, for the screen and for a check posted with their own session's token.
        teacher = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(teacher, base, email(TEACHER, suffix))
        for screen in ("roster", "calendar"):
            response = await teacher.goto(f"{base}/districts/{district_id}/{screen}")
            assert response.status == 403
            assert await teacher.get_by_role("heading", level=1).inner_text() == "District admins only"
            await assert_accessible(teacher)
        csrf = await teacher.locator("input[name=csrf]").first.input_value()
        stamp = await written(harness, districts, district_id)
        posted = await teacher.request.post(f"{base}/districts/{district_id}/roster/apply", form={"csrf": csrf, "carried": carried})
        assert posted.status == 403 and "District admins only" in await posted.text()
        assert await written(harness, districts, district_id) == stamp
    await districts.district(district_id).terminate("test finished")


async def test_a_calendar_dry_run_lists_mistakes_and_changes_and_apply_publishes_it(harness, issuer):
    suffix, district_id, districts = await started(harness)
    state = (await districts.status(district_id)).state
    cal = state.calendar
    soon = max(cal.local_date(datetime.now(UTC)), cal.local_date(await harness.now())) + timedelta(days=14)
    saturday = next(soon + timedelta(days=n) for n in range(7) if (soon + timedelta(days=n)).weekday() == 5)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(ADMIN, suffix), start=f"/districts/{district_id}")
        await page.get_by_role("link", name="Publish a calendar").click()
        assert page.url == f"{base}/districts/{district_id}/calendar"
        await assert_accessible(page)
        before = await written(harness, districts, district_id)

        # A calendar file with mistakes: each listed with its path, nothing written.
        bad = {"timezone": "America/Chicago", "school_years": [
            {"name": "y", "start": (soon + timedelta(days=30)).isoformat(), "end": soon.isoformat()}],
            "closed": [{"name": "Snow", "start": "not a date", "end": soon.isoformat()}]}
        status = await check(page, "#f-calendar_file", upload("calendar.yaml", yaml.safe_dump(bad).encode(), "text/yaml"),
                             "Check the calendar (dry run)")
        assert status == 422
        listed = [" ".join(t.split()) for t in await page.locator(".problems li").all_inner_texts()]
        assert f"school_years[0].end: must not be before start ({soon + timedelta(days=30)})" in listed, listed
        assert any(t.startswith("closed[0].start: ") for t in listed), listed
        await assert_accessible(page)
        # An .ics without saying which names mean what.
        feed = _ics([("Make-up Day", saturday, None), ("Winter Concert", saturday, "T190000")]).encode()
        status = await check(page, "#f-calendar_file", upload("district.ics", feed, "text/calendar"), "Check the calendar (dry run)")
        assert status == 422 and "say which names mean what" in await page.locator(".problems").inner_text()
        assert await written(harness, districts, district_id) == before

        # The dry run of the feed: the Saturday gained, the concert left out and said so; nothing written.
        await page.get_by_label("Event names meaning a school day (a make-up day)").fill("make-up day")
        status = await check(page, "#f-calendar_file", upload("district.ics", feed, "text/calendar"), "Check the calendar (dry run)")
        assert status == 200
        counts = await page.locator(".counts li").all_inner_texts()
        assert counts == [f"School days gained: 1 ({saturday})", "School days lost: 0"]
        assert "Winter Concert: not an all-day event" in await page.locator("main").inner_text()
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)
        if SHOOT:
            await screenshot(page, "web-calendar-phone.png")

        # The district changes between the dry run and Apply (a snow day): Apply shows the new dry run, writes nothing.
        snow = next(soon + timedelta(days=n) for n in range(7) if cal.is_school_day(soon + timedelta(days=n)))
        await districts.send(district_id, c.CloseSchoolDay(actor=ADMIN, on=snow, reason="Snow"))
        snowed = await written(harness, districts, district_id)
        async with page.expect_navigation() as navigation:
            await page.get_by_role("button", name="Publish this calendar").click()
        assert (await navigation.value).status == 409
        assert "the district changed since your dry run" in await page.get_by_role("alert").inner_text()
        assert await written(harness, districts, district_id) == snowed
        # the file was read against the calendar before the snow day, so publishing it now would reopen that day: shown
        gained = (await page.locator(".counts li").all_inner_texts())[0]
        assert gained.startswith("School days gained: 2 (") and str(snow) in gained and str(saturday) in gained
        await assert_accessible(page)

        async with page.expect_navigation():
            await page.get_by_role("button", name="Publish this calendar").click()
        assert (await page.get_by_role("status").inner_text()).startswith("Published (version ")
        await assert_accessible(page)
    published = (await districts.status(district_id)).state
    assert published.version > before[0] and saturday in {o.on for o in published.calendar.opened}
    await districts.district(district_id).terminate("test finished")
