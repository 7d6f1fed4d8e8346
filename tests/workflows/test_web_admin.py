"""The district admin's pages in a real Chromium (issue 11, "District admin"): the rollout as a journey with its
gate's gaps as a checklist, each phase's forms, a gate passed after seeing its gaps, a mistake shown next to its
field and a refusal in the domain's words (nothing written either way), a teacher refused, and starting a rollout by
uploading a district file (every mistake with its path, nothing started; a good file starts it). Every page is
checked with axe-core; `PLCFLOW_SCREENSHOT=1` refreshes docs/web-admin-*.png."""

import os
from datetime import time
from uuid import uuid4

import pytest
import yaml

from activities.projections import _person_emails
from activities.projector import Projector
from app.districts import DistrictClient
from app.files import load_district_file
from app.teams import UnknownTeam
from domain.rollout import commands as c
from domain.rollout.phases import Phase
from domain.rollout.policy import RolloutPolicy
from tests.support.calendars import years_around
from tests.support.districts import suffixed
from tests.support.harness import eventually, settled
from tests.support.web import (DESKTOP, DOCS, PHONE, assert_accessible, chromium, identity_provider, runtime, screenshot,
                               serving, sign_in)
from tests.unit.test_school_rules import EXAMPLES

ADMIN, TEACHER, COACH = "sv.admin", "svm.teacher1", "svm.math-lead"  # a district admin; a teacher; a coalition member
COALITION = ("sv.admin", "svm.principal", "sve.principal", "svh.principal", "sv.teaching", "svm.math-lead", "sv.union")
SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-admin-phone.png").exists()


def email(person: str, suffix: str) -> str:
    return f"{person}.{suffix}@silver-valley.example.org"


@pytest.fixture(scope="module")
def issuer():
    with identity_provider() as url:
        yield url


def district_start(suffix: str, calendar=None):
    """Silver Valley (seed 002) with its ids made unique and every person given a work address to sign in with."""
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), suffix, calendar)
    people = tuple(p.model_copy(update={"email": email(p.id, suffix)}) for p in start.district.people)
    return start.model_copy(update={"district": start.district.model_copy(update={"people": people})})


async def started(harness, **policy) -> tuple[str, str, DistrictClient]:
    """A running rollout of its own, its events in the log and projected (its people can sign in)."""
    suffix = uuid4().hex[:8]
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    start = district_start(suffix, years_around((await harness.now()).date()).calendar)
    if policy:
        start = start.model_copy(update={"policy": start.policy.model_copy(update=policy)})
    await districts.start(start)
    district_id = start.district.district_id
    await settled(lambda: districts.status(district_id))
    await Projector(harness.store.pool).catch_up()
    return suffix, district_id, districts


async def written(harness, districts: DistrictClient, district_id: str) -> tuple[int, int]:
    """The district's version and how many events its stream holds: both stay put when nothing is written."""
    state = (await districts.status(district_id)).state
    return state.version, len(await harness.store.read_stream(f"district-{district_id}"))


async def checklist(page) -> list[str]:
    return [" ".join(t.split()) for t in await page.locator(".checklist li").all_inner_texts()]


async def current_phase(page) -> str:
    return " ".join((await page.locator("[aria-current=step]").text_content()).split())


async def submit(page, form: str, button: str) -> int:
    """Press a form's button; the status of the page it led to (after a redirect, the journey's 200)."""
    async with page.expect_navigation() as navigation:
        await page.locator(f"#form-{form}").get_by_role("button", name=button).click()
    return (await navigation.value).status


async def test_the_admin_sees_the_gate_s_gaps_closes_them_and_passes_it(harness, issuer):
    suffix, district_id, districts = await started(harness)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(ADMIN, suffix))
        mine = page.locator("section", has=page.get_by_role("heading", name="Phase gaps that are mine"))
        assert "Now: form coalition" in await mine.inner_text()
        assert await mine.get_by_role("listitem").all_inner_texts() == ["a seated guiding coalition"]
        await assert_accessible(page)
        await mine.get_by_role("link", name="Silver Valley School District: the rollout").click()
        assert page.url == f"{base}/districts/{district_id}"
        assert await current_phase(page) == "1 form coalition (current phase)"
        assert await checklist(page) == ["✗ Missing: a seated guiding coalition"]
        assert await page.locator("#form-complete_phase").count() == 1
        await assert_accessible(page)

        # A coalition that is not representative yet: seated, and the gate names what it still lacks.
        await page.get_by_label("Members (user ids)").fill("sv.admin\nsvm.principal\n")
        await submit(page, "seat_coalition", "Seat the coalition")
        assert await page.get_by_role("status").inner_text() == "The guiding coalition is seated."
        items = await checklist(page)
        assert "✓ Done: a seated guiding coalition" in items
        assert "✓ Done: a principal from a middle school in the valley area" in items
        assert "✗ Missing: union leadership" in items and "✗ Missing: a teacher leader" in items

        # Passing the gate now is refused in the domain's words, and nothing is written.
        before = await written(harness, districts, district_id)
        assert await submit(page, "complete_phase", "Complete this phase") == 409
        refusal = page.locator("#form-complete_phase").get_by_role("alert")
        said = " ".join((await refusal.inner_text()).split())
        assert said.startswith("Nothing was saved Form coalition is not done; still missing: ")
        assert said.endswith("a teacher leader; union leadership.")
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)

        # Close the gaps the checklist names, then pass the gate: the next phase opens with its own gaps.
        await page.get_by_label("Members (user ids)").fill("\n".join(COALITION))
        await submit(page, "seat_coalition", "Seat the coalition")
        assert all(i.startswith("✓ Done: ") for i in await checklist(page))
        await submit(page, "complete_phase", "Complete this phase")
        assert await page.get_by_role("status").inner_text() == "The phase is complete."
        assert await current_phase(page) == "2 build shared knowledge (current phase)"
        assert " ".join((await page.locator("li.passed").text_content()).split()) == "1 form coalition (complete)"
        assert "✗ Missing: a common glossary" in await checklist(page)
        await page.get_by_role("link", name="a common glossary").click()  # a gap links to the form that closes it
        assert await page.evaluate("location.hash") == "#form-adopt_glossary"

        # A mistake: shown next to its field, what was typed kept, nothing written.
        before = await written(harness, districts, district_id)
        await page.get_by_label("Terms").fill("PLC: professional learning community\nnorms are how we work")
        assert await submit(page, "adopt_glossary", "Adopt the glossary") == 422
        error = page.locator("#f-adopt_glossary-terms-error1")
        assert " ".join((await error.text_content()).split()) == "Error: line 2: write each term as “term: meaning”"
        assert await page.get_by_label("Terms").get_attribute("aria-invalid") == "true"
        assert "norms are how we work" in await page.get_by_label("Terms").input_value()
        await page.get_by_label("Non-negotiables").fill("   \n")
        await submit(page, "set_non_negotiables", "Set the non-negotiables")
        assert "Write at least one, one per line." in await page.locator("#f-set_non_negotiables-items-error1").text_content()
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)

        # The gaps closed one form at a time.
        await page.get_by_label("Terms").fill("PLC: professional learning community\nnorms: how we agree to work")
        await submit(page, "adopt_glossary", "Adopt the glossary")
        await page.get_by_label("Kind of activity").select_option("book_study")
        await page.get_by_label("Title", exact=True).fill("Learning by Doing")
        await page.get_by_label("Held on").first.fill((await harness.now()).date().isoformat())
        await submit(page, "record_inquiry_activity", "Record the activity")
        await page.get_by_label("Non-negotiables").fill("Every teacher belongs to a collaborative team\nTeams meet weekly")
        await submit(page, "set_non_negotiables", "Set the non-negotiables")
        school = (await districts.status(district_id)).state.district.schools[0].school_id
        await page.get_by_label("School", exact=True).select_option(school)
        await submit(page, "align_mission", "Mark it aligned")
        items = await checklist(page)
        assert [i for i in items if i.startswith("✗")] == [
            f"✗ Missing: {s.school_id}'s mission and vision aligned"
            for s in (await districts.status(district_id)).state.district.schools[1:]]
        assert "Glossary" in await page.locator(".record").inner_text()
        await assert_accessible(page)
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.set_viewport_size(viewport)
            await assert_accessible(page)
            wide = await page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], wide
            if SHOOT:
                await screenshot(page, f"web-admin-{width}.png")
    state = (await districts.status(district_id)).state
    assert state.phase is Phase.BUILD_SHARED_KNOWLEDGE and Phase.FORM_COALITION in state.completed
    assert set(state.coalition) == set(COALITION) and state.glossary["norms"] == "how we agree to work"
    assert state.aligned_schools == (school,)
    await districts.district(district_id).terminate("test finished")


async def test_a_coalition_member_acts_where_the_domain_lets_them_and_a_teacher_is_refused(harness, issuer):
    suffix, district_id, districts = await started(harness)
    await districts.send(district_id, c.SeatCoalition(actor=ADMIN, members=COALITION))
    await settled(lambda: districts.status(district_id))
    await Projector(harness.store.pool).catch_up()
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(COACH, suffix))
        mine = page.locator("section", has=page.get_by_role("heading", name="Phase gaps that are mine"))
        assert "None of the gate's gaps is yours to close." in await mine.inner_text()  # seating is the admins'
        await mine.get_by_role("link").click()
        assert page.url == f"{base}/districts/{district_id}"
        assert "You are on the guiding coalition" in await page.locator(".lede").inner_text()
        assert await page.locator("form[id^=form-]").count() == 0  # form coalition is the admins' work
        assert "The district admins do this phase's work" in await page.inner_text("main")
        await assert_accessible(page)
        # A post the page does not offer is refused by the domain, in its words, and writes nothing.
        before = await written(harness, districts, district_id)
        csrf = await page.locator("input[name=csrf]").first.input_value()
        posted = await page.request.post(f"{base}/districts/{district_id}/complete_phase",
                                         form={"csrf": csrf, "phase": "form_coalition"})
        assert posted.status == 403
        assert f"Only a district admin of Silver Valley School District can complete a rollout phase; {COACH} is not one." \
            in await posted.text()
        assert await written(harness, districts, district_id) == before

        # In the next phase the coalition has work of its own (seed 001): those forms, and those gaps on My work.
        await districts.send(district_id, c.CompletePhase(actor=ADMIN, phase=Phase.FORM_COALITION))
        await settled(lambda: districts.status(district_id))
        await page.goto(f"{base}/my-work")
        assert await mine.get_by_role("listitem").all_inner_texts() == [
            "a collective-inquiry activity (an institute, a model-school visit, a book study)", "a common glossary"]
        await mine.get_by_role("link").click()
        assert [await f.get_attribute("id") for f in await page.locator("form[id^=form-]").all()] == [
            "form-record_inquiry_activity", "form-adopt_glossary"]
        await page.get_by_label("Terms").fill("PLC: professional learning community")
        await submit(page, "adopt_glossary", "Adopt the glossary")
        assert await page.get_by_role("status").inner_text() == "The glossary is adopted."
        assert "✓ Done: a common glossary" in await checklist(page)
        await assert_accessible(page)
        before = await written(harness, districts, district_id)

        teacher = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(teacher, base, email(TEACHER, suffix))
        assert await teacher.get_by_role("heading", name="Phase gaps that are mine").count() == 0
        response = await teacher.goto(f"{base}/districts/{district_id}")
        assert response.status == 403
        assert await teacher.get_by_role("heading", level=1).inner_text() == "Not your rollout"
        await assert_accessible(teacher)
        csrf = await teacher.locator("input[name=csrf]").first.input_value()
        posted = await teacher.request.post(f"{base}/districts/{district_id}/adopt_glossary",
                                            form={"csrf": csrf, "terms": "PLC: ours"})
        assert posted.status == 403 and "Not your rollout" in await posted.text()
    assert await written(harness, districts, district_id) == before
    await districts.district(district_id).terminate("test finished")


def district_file(start, **overrides) -> bytes:
    """A district file as an admin writes it, its calendar and rubric named by path as in examples/districts."""
    data = {"registered_by": start.actor, "district": start.district.model_dump(mode="json", exclude_defaults=True),
            "calendar": "../calendar.yaml", "rubric": "rubric.yaml", **overrides}
    return yaml.safe_dump(data, sort_keys=False).encode()


def upload(name: str, body: bytes) -> dict:
    return {"name": name, "mimeType": "application/yaml", "buffer": body}


async def known_but_not_started(harness, suffix: str):
    """A district whose people plcflow knows (their work addresses, as the projector records them) but whose rollout
    has not started: the moment its admin uploads the district file."""
    start = district_start(suffix)
    people = [p.model_dump(mode="json") for p in start.district.people]
    async with harness.store.pool.acquire() as conn:
        await _person_emails(conn, start.district.district_id, people)
    return start


async def test_an_upload_with_mistakes_lists_each_with_its_path_and_starts_nothing(harness, issuer):
    suffix = uuid4().hex[:8]
    start = await known_but_not_started(harness, suffix)
    district_id = start.district.district_id
    raw = yaml.safe_load(district_file(start))
    raw["district"]["schools"][0]["principal"] = "nobody.here"  # a principal not on the staff list
    raw["district"]["schools"][1]["level"] = "college"  # not a school level
    del raw["district"]["people"][-1]["roles"]  # a person without roles
    raw["rollout"] = {"due_school_days": {"form_coalition": "soon"}}
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(ADMIN, suffix), start="/districts/new")
        assert page.url == f"{base}/districts/new"
        await assert_accessible(page)
        await page.set_input_files("#f-district_file", files=[upload("district.yaml", yaml.safe_dump(raw).encode())])
        await page.set_input_files("#f-calendar_file", files=[upload("calendar.yaml", (EXAMPLES.parent / "calendar.yaml").read_bytes())])
        await page.get_by_role("button", name="Check and start the rollout").click()
        await page.wait_for_load_state()
        listed = [" ".join(t.split()) for t in await page.locator(".problems li").all_inner_texts()]
        paths = [t.partition(": ")[0] for t in listed]
        assert "rubric: the district file names 'rubric.yaml'; upload that file as the rubric file, or write the rubric inline " \
               "in the district file" in listed
        assert any(p.startswith("district.schools[1].level") for p in paths), listed
        assert any(p.startswith("district.people[") and p.endswith(".roles") for p in paths), listed
        assert any(p.startswith("rollout.due_school_days") for p in paths), listed
        assert any("nobody.here" in t and t.startswith("district.") for t in listed), listed
        assert not any(t.startswith("rubric.") for t in listed)  # the missing rubric is said once, not as its fields
        assert f"Nothing was started: {len(listed)} mistakes in the files" in await page.get_by_role("alert").inner_text()
        await assert_accessible(page)
    with pytest.raises(UnknownTeam):
        await DistrictClient(harness.env.client, harness.teams._task_queue).status(district_id)


async def test_a_good_upload_starts_the_rollout_and_opens_its_journey(harness, issuer):
    suffix = uuid4().hex[:8]
    start = await known_but_not_started(harness, suffix)
    district_id = start.district.district_id
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    files = {"#f-district_file": upload("silver-valley.yaml", district_file(start)),
             "#f-calendar_file": upload("calendar.yaml", (EXAMPLES.parent / "calendar.yaml").read_bytes()),
             "#f-rubric_file": upload("rubric.yaml", (EXAMPLES / "rubric.yaml").read_bytes())}
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        teacher = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(teacher, base, email(TEACHER, suffix), start="/districts/new")
        for field, f in files.items():
            await teacher.set_input_files(field, files=[f])
        await teacher.get_by_role("button", name="Check and start the rollout").click()
        await teacher.wait_for_load_state()
        assert await teacher.get_by_role("heading", level=1).inner_text() == "Not yours to start"
        with pytest.raises(UnknownTeam):
            await districts.status(district_id)

        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(ADMIN, suffix), start="/districts/new")
        for field, f in files.items():
            await page.set_input_files(field, files=[f])
        await page.get_by_role("button", name="Check and start the rollout").click()
        await page.get_by_role("status").wait_for()
        assert page.url == f"{base}/districts/{district_id}"
        assert await page.get_by_role("status").inner_text() == "The rollout of Silver Valley School District has started."
        assert await current_phase(page) == "1 form coalition (current phase)"
        assert await checklist(page) == ["✗ Missing: a seated guiding coalition"]
        await assert_accessible(page)

        # The same file again: the domain's sentence, nothing started twice.
        await page.goto(f"{base}/districts/new")
        for field, f in files.items():
            await page.set_input_files(field, files=[f])
        await page.get_by_role("button", name="Check and start the rollout").click()
        await page.wait_for_load_state()
        assert f"District {district_id} already has a rollout." in await page.get_by_role("alert").inner_text()
    state = (await eventually(lambda: districts.status(district_id), "the rollout answers")).state
    assert state.district.district_id == district_id and state.version == 2 and state.rubric is not None
    await districts.district(district_id).terminate("test finished")


async def test_an_escalation_that_reached_the_admin_is_snoozed_with_a_reason(harness, issuer):
    suffix, district_id, districts = await started(harness, due_school_days={**RolloutPolicy().due_school_days,
                                                                             Phase.FORM_COALITION: 2})
    state = (await districts.status(district_id)).state
    cal = state.calendar
    late = cal.add_school_days(state.due_on, 1)
    await harness.env.sleep(cal.at_local(late, time(12)) - await harness.now())
    escalation = await eventually(lambda: _escalation(districts, district_id), "the late phase escalated")
    assert ADMIN in escalation.reached
    await settled(lambda: districts.status(district_id))
    await Projector(harness.store.pool).catch_up()
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(ADMIN, suffix), start=f"/districts/{district_id}")
        card = page.locator("section", has=page.get_by_role("heading", name="Escalations that reached you"))
        assert "form coalition was due" in await card.inner_text()
        assert await card.locator(f"[id='form-acknowledge-{escalation.id}']").count() == 1
        await assert_accessible(page)
        snooze = card.locator(f"[id='form-snooze-{escalation.id}']")
        before = await written(harness, districts, district_id)
        await snooze.get_by_label("Why you snooze it").fill("no")
        await snooze.get_by_role("button", name="Snooze").click()
        await page.wait_for_load_state()
        error = page.locator(f"[id='f-snooze-{escalation.id}-reason-error1']")
        assert "at least 3 characters" in await error.text_content()
        assert await written(harness, districts, district_id) == before
        await assert_accessible(page)
        until = cal.add_school_days(late, 2)
        await snooze.get_by_label("Snooze until").fill(until.isoformat())
        await snooze.get_by_label("Why you snooze it").fill("The board seats the coalition on Thursday")
        await snooze.get_by_role("button", name="Snooze").click()
        await page.get_by_role("status").wait_for()
        assert await page.get_by_role("status").inner_text() == "The escalation is snoozed."
        assert f"snoozed by {ADMIN} until {until}" in await card.inner_text()
        assert await card.locator("form").count() == 0  # held: nothing more to do on it at this rung
        await assert_accessible(page)
    held = (await districts.status(district_id)).state.escalation
    assert held.hold == "snoozed" and held.held_by == ADMIN and held.held_until == until
    await districts.district(district_id).terminate("test finished")


async def _escalation(districts, district_id):
    return (await districts.status(district_id)).state.escalation
