"""The principal's school page in a real Chromium (issue 11, "Principal": the school, teams × steps, what is
stalled): reached from My work, from the read models, axe-clean at phone and desktop widths, refused to a teacher.
`PLCFLOW_SCREENSHOT=1` refreshes docs/web-school-*.png."""

import os
from datetime import time

import pytest

from activities.projector import Projector
from domain.team.commands import AdvanceStep
from tests.support.harness import eventually, settled
from tests.support.web import (DESKTOP, DOCS, PHONE, assert_accessible, chromium, identity_provider, runtime, screenshot,
                               serving, sign_in)
from tests.workflows.test_web import TEACHER_A, email, seed

PRINCIPAL = "svm.principal"
SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-school-phone.png").exists()


@pytest.fixture(scope="module")
def issuer():
    with identity_provider() as url:
        yield url


async def math_done_and_science_escalated(harness, world) -> None:
    """Both steps go overdue and escalate; then Grade 7 Math completes its step (its escalation resolves)."""
    layout, science = world["layout"], world["b"]
    due = (await harness.status(science)).state.due_on
    await harness.sleep_until(layout, layout.calendar.add_school_days(due, 1), time(12))
    await eventually(lambda: escalated(harness, science), "Grade 8 Science escalated")
    focus = {"focus": "Word problems", "results": [{"metric": "Unit 2", "n": 12, "counts": {"Developing": 5, "Proficient": 7}}]}
    await harness.send(world["a"], AdvanceStep.model_validate({"actor": TEACHER_A, "step": "identify_focus", "evidence": focus}))
    for team in (world["a"], science):
        await settled(lambda: harness.status(team))
    await Projector(harness.store.pool).catch_up()


async def escalated(harness, team_id):
    return (await harness.status(team_id)).state.escalation


def row(page, team: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=team, exact=True))


async def test_the_principal_sees_every_team_s_step_and_what_is_stalled_at_both_widths(harness, issuer):
    world = await seed(harness)
    await math_done_and_science_escalated(harness, world)
    school_id = (await runtime(harness).reads.team(world["a"]))["school_id"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, email(PRINCIPAL, world["suffix"]))
            schools = page.locator("section", has=page.get_by_role("heading", name="My school"))
            assert "2 active teams, 1 escalated" in await schools.inner_text()
            # A school no wave has launched yet, called as the district's file calls it (district_schools).
            await schools.get_by_role("link", name="Silver Valley Middle School", exact=True).click()
            assert page.url == f"{base}/schools/{school_id}"
            await page.get_by_role("heading", name="Teams × steps").wait_for()
            stalled = page.locator("section", has=page.get_by_role("heading", name="What is stalled"))
            assert await stalled.get_by_role("link", name="Grade 8 Science: identify focus").count() == 1
            assert await stalled.get_by_role("link", name="Grade 7 Math: identify focus").count() == 0
            math = [" ".join(c.split()) for c in await row(page, "Grade 7 Math").get_by_role("cell").all_inner_texts()]
            assert math[0].endswith("done")  # identify focus: ✓, read "done"
            assert math[1].startswith("Now, due ") and "escalated" not in math[1]  # pose question
            assert math[2:] == [""] * 6
            science = " ".join((await row(page, "Grade 8 Science").get_by_role("cell").first.inner_text()).split())
            assert science.startswith("Now, due ") and science.endswith("escalated to the team")
            footer = await page.get_by_role("row", name="Teams on this step").get_by_role("cell").all_inner_texts()
            assert footer == ["1", "1", "0", "0", "0", "0", "0", "0"]
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # the grid scrolls
            if SHOOT:
                await screenshot(page, f"web-school-{width}.png")


async def test_a_teacher_cannot_open_the_school_page(harness, issuer):
    world = await seed(harness)
    school_id = (await runtime(harness).reads.team(world["a"]))["school_id"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        assert await page.get_by_role("heading", name="My school").count() == 0  # no link for her
        response = await page.goto(f"{base}/schools/{school_id}")
        assert response.status == 403
        assert await page.get_by_role("heading", level=1).inner_text() == "Not your school"
        await assert_accessible(page)
