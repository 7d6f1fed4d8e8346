"""The principal's school in a real Chromium (issue 11, "Principal"; seeds 002 and 004): the rubric self-assessment
with the district's levels and its trend as an SVG chart, the teams' norms recorded and reviewed, a school
escalation snoozed with a reason, a teacher refused; every page axe-clean at phone and desktop widths.
The school runs as its own adoption workflow (opened as the district's rollout opens it) on the time-skipping
server, with its teams as children, over real PostgreSQL and the local identity provider.
`PLCFLOW_SCREENSHOT=1` refreshes docs/web-principal-*.png."""

import os
from datetime import time
from uuid import uuid4

import pytest

from activities.projector import Projector
from app.districts import DistrictClient
from app.files import load_district_file
from domain.ladder import Rung
from domain.school.commands import OpenSchool, SelfAssess
from tests.support.districts import suffixed
from tests.support.gwt import ROLLOUT
from tests.support.harness import eventually, settled
from tests.support.web import (DESKTOP, DOCS, PHONE, assert_accessible, chromium, identity_provider, runtime, screenshot,
                               serving, sign_in)
from tests.unit.test_school_rules import EXAMPLES
from tests.workflows.test_web import email
from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
from workflows.persistence import to_rows
from workflows.school_adoption import SchoolWorkflowInput

PRINCIPAL, TEACHER = "svm.principal", "svm.teacher1"
SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-principal-phone.png").exists()


@pytest.fixture(scope="module")
def issuer():
    with identity_provider() as url:
        yield url


@pytest.fixture
async def school(harness):
    """Silver Valley Middle School opened by the district (its people with work addresses, projected), its
    teams running; a month into the term every norms review is overdue, and four school days on it reaches the principal."""
    suffix = uuid4().hex[:8]
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), suffix)
    district = start.district
    people = tuple(p.model_copy(update={"email": email(p.id, suffix)}) for p in district.people)
    district = district.model_copy(update={"people": people})
    start = start.model_copy(update={"district": district})
    await harness.store.append(f"district-{district.district_id}",
                               to_rows(1, ROLLOUT.given_commands((start, await harness.now())).log))
    layout = await harness.layout()
    spec = district.schools[0]
    opening = OpenSchool(actor="sv.admin", district_id=district.district_id, school=spec, calendar=layout.calendar,
                         rubric=start.rubric, coalition=("sv.admin",))
    handle = await harness.env.client.start_workflow(
        SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening), id=school_workflow_id(spec.school_id),
        task_queue=harness.teams._task_queue)
    schools = DistrictClient(harness.env.client, harness.teams._task_queue)

    async def escalated(rung: Rung):
        status = await schools.school_status(spec.school_id)
        at = [e for e in status.state.escalations.values() if e.level == rung]
        return status if len(status.started_teams) == len(spec.teams) and len(at) == len(spec.teams) else None

    await eventually(lambda: escalated(Rung.FACILITATOR), "the school's teams started, their norms reviews escalated")
    today = layout.calendar.local_date(await harness.now())
    await harness.sleep_until(layout, layout.calendar.add_school_days(today, 4), time(12))  # the next rung (seed 002: principal)
    await eventually(lambda: escalated(Rung.PRINCIPAL), "the norms reviews escalated to the principal")
    harness.started.extend(t.team_id for t in spec.teams)
    for t in spec.teams:
        await settled(lambda t=t: harness.status(t.team_id))
    await settled(lambda: schools.school_status(spec.school_id))
    await Projector(harness.store.pool).catch_up()
    yield {"suffix": suffix, "layout": layout, "school_id": spec.school_id, "spec": spec, "schools": schools,
           "rubric": start.rubric}
    await handle.terminate("test finished")


async def state(world):
    return (await world["schools"].school_status(world["school_id"])).state


async def trend_points(page) -> int:
    return await page.locator("section:has(#assessment-heading) svg circle.point").count()


async def test_the_principal_self_assesses_and_the_trend_chart_gains_a_point(harness, issuer, school):
    world, rubric = school, school["rubric"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(PRINCIPAL, world["suffix"]))
        await page.goto(f"{base}/schools/{world['school_id']}")
        chart = page.get_by_role("img", name="The school's rubric self-assessments")
        assert await chart.count() == 1 and await trend_points(page) == 0
        await page.get_by_role("link", name="Self-assess on the rubric").click()
        await page.get_by_role("heading", name="Rubric self-assessment").wait_for()
        await assert_accessible(page)
        first, *others = rubric.dimensions
        for d in rubric.dimensions:  # the district's own levels, one choice per dimension
            group = page.get_by_role("group", name=d.name)
            assert [" ".join(t.split()) for t in await group.locator("label").all_inner_texts()] == list(rubric.levels)
            assert await group.get_by_role("listitem").count() == len(d.indicators)

        # One dimension left unrated: the error sits in its group, nothing is written.
        before = (await state(world)).version
        for d in others:
            await page.get_by_role("group", name=d.name).get_by_label("Implementing").check()
        await page.get_by_role("button", name="Record the self-assessment").click()
        missing = page.get_by_role("group", name=first.name)
        assert " ".join((await missing.locator(".error").inner_text()).split()) == f"Error: Choose a level for {first.name}."
        assert await missing.get_by_role("radio").first.get_attribute("aria-invalid") == "true"
        assert " ".join((await page.get_by_role("alert").inner_text()).split()) == (
            f"Nothing was saved Choose a level for {first.name}.")
        assert await page.get_by_role("group", name=others[0].name).get_by_label("Implementing").is_checked()  # kept
        assert (await page.title()).startswith("Error: ")
        await assert_accessible(page)
        assert (await state(world)).version == before and (await state(world)).assessments == ()

        await missing.get_by_label("Developing").check()
        await page.get_by_role("button", name="Record the self-assessment").click()
        assert await page.get_by_role("status").inner_text() == "The self-assessment is recorded."
        assert await trend_points(page) == len(rubric.dimensions)  # a point per dimension for this term
        svg = await chart.evaluate("e => e.outerHTML")
        for label in ("term and the day it was assessed", "level", *rubric.levels, *(d.name for d in rubric.dimensions)):
            assert f">{label}<" in svg.replace("&#x27;", "'"), label
        desc = await chart.locator("desc").text_content()
        assert f"{first.name} Developing" in desc and f"{others[0].name} Implementing" in desc
        table = page.get_by_role("table", name="Every self-assessment, level per dimension")
        cells = await table.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()
        assert cells == ["Developing"] + ["Implementing"] * len(others)
        await assert_accessible(page)

    assessed = await state(world)
    assert [a.ratings for a in assessed.assessments] == [{first.id: "Developing", **{d.id: "Implementing" for d in others}}]


async def test_the_principal_records_and_reviews_norms_and_snoozes_and_acknowledges_school_escalations(harness, issuer, school):
    world = school
    math = next(t for t in world["spec"].teams if t.name.startswith("Mathematics"))
    card = lambda page: page.locator("li.card", has=page.get_by_role("heading", name=math.name, exact=True))  # noqa: E731
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(PRINCIPAL, world["suffix"]))
        await page.goto(f"{base}/schools/{world['school_id']}")
        assert "Norms review due this term" in await card(page).inner_text()
        escalations = page.locator("section", has=page.get_by_role("heading", name="The school's escalations"))
        assert await escalations.get_by_role("heading", name=f"{math.name}: norms review").count() == 1
        await assert_accessible(page)

        # Norms left empty: the model's sentence next to the field, nothing written.
        before = (await state(world)).version
        await card(page).get_by_text(f"Record {math.name}'s norms").click()
        await card(page).get_by_label("Procedural norms").fill("Start and end on time")
        await card(page).get_by_role("button", name="Record the norms").click()
        assert "Write at least one norm, one per line." in await card(page).locator(".field.invalid").inner_text()
        assert await card(page).get_by_label("Procedural norms").input_value() == "Start and end on time"
        assert (await state(world)).version == before
        await assert_accessible(page)

        await card(page).get_by_label("Conversational norms").fill("Assume good intent\nEveryone speaks before anyone twice")
        await card(page).get_by_role("button", name="Record the norms").click()
        assert await page.get_by_role("status").inner_text() == "The team's norms are recorded."
        text = await card(page).inner_text()
        assert "Norms reviewed in " in text and "Assume good intent" in text and "Start and end on time" in text
        assert await escalations.get_by_role("heading", name=f"{math.name}: norms review").count() == 0  # resolved

        await card(page).get_by_text(f"Review {math.name}'s norms").click()
        await card(page).get_by_label("What the review found").fill("Kept them; we now rotate the note-taker.")
        await card(page).get_by_role("button", name="Record the review").click()
        assert await page.get_by_role("status").inner_text() == "The team's norms review is recorded."

        # Another team's overdue review: snoozed with a reason, until a school day ahead.
        other = next(t for t in world["spec"].teams if t.team_id != math.team_id)
        esc = escalations.locator("li.card", has=page.get_by_role("heading", name=f"{other.name}: norms review"))
        cal = world["layout"].calendar
        until = cal.add_school_days(cal.local_date(await harness.now()), 3)
        await esc.get_by_text("Answer this escalation").click()
        await esc.get_by_label("Snooze until").fill(until.isoformat())
        await esc.get_by_role("button", name="Snooze").click()
        assert await esc.locator(".field.invalid").count() == 1  # the reason is required; nothing written
        assert (await state(world)).escalations[f"norms:{other.team_id}"].hold is None
        assert await esc.get_by_label("Snooze until").input_value() == until.isoformat()  # kept
        await esc.get_by_label("Your reason").fill("Their facilitator is out this week; they review on Monday.")
        await esc.get_by_role("button", name="Snooze").click()
        assert await page.get_by_role("status").inner_text() == "The escalation is snoozed."
        assert f"snoozed by {PRINCIPAL} until {until}" in await esc.inner_text()
        await assert_accessible(page)

        # A third: acknowledged with a reason (the same form's other button; the date is not asked for).
        third = next(t for t in world["spec"].teams if t.team_id not in (math.team_id, other.team_id))
        esc = escalations.locator("li.card", has=page.get_by_role("heading", name=f"{third.name}: norms review"))
        await esc.get_by_text("Answer this escalation").click()
        await esc.get_by_label("Your reason").fill("Seen; I will sit in on their next meeting.")
        await esc.get_by_role("button", name="Acknowledge").click()
        assert await page.get_by_role("status").inner_text() == "The escalation is acknowledged."
        assert f"acknowledged by {PRINCIPAL} until" in await esc.inner_text()

    after = await state(world)
    team = after.teams[math.team_id]
    assert team.procedural_norms == ("Start and end on time",)
    assert team.conversational_norms == ("Assume good intent", "Everyone speaks before anyone twice")
    assert team.norms_reviewed_term == after.term
    held = after.escalations[f"norms:{other.team_id}"]
    assert (held.hold, held.held_by, held.held_until) == ("snoozed", PRINCIPAL, until)
    assert after.escalations[f"norms:{third.team_id}"].hold == "acknowledged"


async def test_a_teacher_gets_403_and_the_coalition_the_domain_s_refusal_and_nothing_is_written(harness, issuer, school):
    world, rubric = school, school["rubric"]
    before = (await state(world)).version
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER, world["suffix"]))
        csrf = await page.locator("input[name=csrf]").first.input_value()  # her own session's token
        form = {"csrf": csrf, **{f"rating-{d.id}": rubric.levels[-1] for d in rubric.dimensions}}
        posted = await page.request.post(f"{base}/schools/{world['school_id']}/self-assessment", form=form)
        assert posted.status == 403 and "Not your school" in await posted.text()
        norms = await page.request.post(f"{base}/schools/{world['school_id']}/record_norms", form={
            "csrf": csrf, "team_id": world["spec"].teams[0].team_id, "procedural": "Ours", "conversational": "Ours"})
        assert norms.status == 403
        response = await page.goto(f"{base}/schools/{world['school_id']}/self-assessment")
        assert response.status == 403
        await assert_accessible(page)

        # A member of the district's coalition the school knows may open its page, but the domain keeps the
        # self-assessment the principal's: its sentence, 403, nothing written.
        admin = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(admin, base, email("sv.admin", world["suffix"]))
        response = await admin.goto(f"{base}/schools/{world['school_id']}")
        assert response.status == 200 and "you sit on the district's guiding coalition" in await admin.locator(".lede").inner_text()
        await admin.goto(f"{base}/schools/{world['school_id']}/self-assessment")
        for d in rubric.dimensions:
            await admin.get_by_role("group", name=d.name).get_by_label(rubric.levels[0]).check()
        await admin.get_by_role("button", name="Record the self-assessment").click()
        assert " ".join((await admin.get_by_role("alert").inner_text()).split()) == (
            f"Nothing was saved Only {PRINCIPAL}, the principal of {world['spec'].name}, records its self-assessment.")
        await assert_accessible(admin)
    after = await state(world)
    assert after.version == before and after.assessments == ()


async def test_the_school_page_at_both_widths(harness, issuer, school):
    """Axe-clean and no sideways page scroll at 390 px and on a desktop, with a point on the chart."""
    world, rubric = school, school["rubric"]
    levels = rubric.levels
    await world["schools"].send_school(world["school_id"], SelfAssess(
        actor=PRINCIPAL, ratings={d.id: levels[i % len(levels)] for i, d in enumerate(rubric.dimensions)}))
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, email(PRINCIPAL, world["suffix"]))
            await page.goto(f"{base}/schools/{world['school_id']}")
            await page.get_by_role("heading", name="Rubric self-assessment").wait_for()
            assert await trend_points(page) == len(rubric.dimensions)
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if SHOOT:
                await screenshot(page, f"web-principal-{width}.png")



async def test_the_team_page_shows_its_norms_and_its_facilitator_records_them(harness, issuer, school):
    """Issue 11, "Team": norms. The facilitator records them on the team's own page; a member reads them there and
    has no form (the domain would refuse her: only the facilitator or the principal records a team's norms)."""
    world = school
    math = next(t for t in world["spec"].teams if t.name.startswith("Mathematics"))
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(math.facilitator, world["suffix"]))
        await page.goto(f"{base}/teams/{math.team_id}")
        norms = page.locator("section", has=page.get_by_role("heading", name="Norms", exact=True))
        assert "No norms recorded yet; they are due this term." in await norms.inner_text()
        await norms.get_by_label("Procedural norms").fill("Start and end on time\nRotate the note-taker")
        await norms.get_by_label("Conversational norms").fill("Assume good intent")
        await norms.get_by_role("button", name="Record the norms").click()
        assert await page.get_by_role("status").inner_text() == "The team's norms are recorded."
        assert "Rotate the note-taker" in await norms.inner_text()
        await assert_accessible(page)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        member = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(member, base, email(TEACHER, world["suffix"]))
        await member.goto(f"{base}/teams/{math.team_id}")
        shown = member.locator("section", has=member.get_by_role("heading", name="Norms", exact=True))
        assert [t.strip() for t in await shown.get_by_role("listitem").all_inner_texts()] == [
            "Start and end on time", "Rotate the note-taker", "Assume good intent"]
        assert await shown.get_by_role("button", name="Record the norms").count() == 0
        before = (await state(world)).version
        csrf = await member.locator("input[name=csrf]").first.input_value()
        posted = await member.request.post(f"{base}/teams/{math.team_id}/norms", form={
            "csrf": csrf, "procedural": "Ours", "conversational": "Ours"})
        assert posted.status == 403 and "or the principal can record its norms" in await posted.text()
        await assert_accessible(member)
    after = await state(world)
    assert after.version == before
    assert after.teams[math.team_id].procedural_norms == ("Start and end on time", "Rotate the note-taker")
