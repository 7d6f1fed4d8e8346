"""`make run`'s web app, as a first visit uses it (issue 11, "Done when"): the banner's address and demo users,
sign-in through the stack's own identity provider in Chromium, the teacher's step and the principal's
approval, every page axe-clean, and a session that survives a restart.

`PLCFLOW_SCREENSHOT=1` refreshes the README's first-five-minutes screenshots (docs/run-*.png) from this stack.
"""

import asyncio
import os
import stat

import pytest

from app.web_stack import demo_users
from tests.support.stack import data_folder, stack_env, start_stack, stop_stack
from tests.support.web import DESKTOP, DOCS, PHONE, assert_accessible, chromium, screenshot, sign_in

TEACHER, FACILITATOR, PRINCIPAL, ADMIN, SUPERVISOR = (u.email for u in demo_users())
TEAM = "Grade 7 Math (demo)"
RECOMMENDATION = "Regroup the three sections by skill for six weeks of word-problem work"


@pytest.fixture
def env():
    with data_folder() as data:
        yield stack_env(data, task_queue="plcflow-e2e-web")


SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "run-my-work-teacher.png").exists()


async def started(env):
    return await asyncio.to_thread(start_stack, env)


async def stopped(proc, env) -> None:
    await asyncio.to_thread(stop_stack, proc, env)


def assert_the_banner_says_where_and_who(proc, base: str) -> None:
    banner = "".join(proc.banner)
    assert f"Web app       {base}" in banner
    for role, email in (("teacher", TEACHER), ("facilitator", FACILITATOR), ("principal", PRINCIPAL),
                        ("district admin", ADMIN), ("supervisor", SUPERVISOR)):
        assert f"{role:<15} {email}" in banner, banner


async def teacher_completes_the_step_and_recommends(page, base: str) -> None:
    await page.goto(base)
    await page.get_by_role("link", name="Sign in with your district account").click()
    if SHOOT:  # the provider's page: a button per demo user, as the banner says
        await page.get_by_role("button", name=TEACHER, exact=True).wait_for()
        await screenshot(page, "run-signin-provider.png")
    await page.get_by_role("button", name=TEACHER, exact=True).click()
    assert page.url == f"{base}/my-work"
    await page.get_by_role("heading", name="My work").wait_for()
    assert await page.get_by_role("link", name=TEAM, exact=True).count() == 1
    assert "Overdue: escalated to the team" in await page.locator(".card").first.inner_text()
    await assert_accessible(page)
    if SHOOT:
        await screenshot(page, "run-my-work-teacher.png")
    await page.get_by_role("link", name=TEAM, exact=True).click()
    await page.get_by_role("heading", name="Now: identify focus").wait_for()
    await page.get_by_label("Focus statement").fill("Grade 7 students struggle with multi-step word problems.")
    await page.get_by_label("Measure", exact=True).fill("Unit 2 quiz")
    await page.get_by_label("Students assessed").fill("24")
    for level, count in (("below", 8), ("approaching", 8), ("meets", 8)):
        await page.get_by_label(f"Students at {level}").fill(str(count))
    await page.get_by_role("button", name="Complete “identify focus”").click()
    await page.get_by_role("status").wait_for()
    assert await page.get_by_role("status").inner_text() == "“identify focus” is complete."
    await page.get_by_label("A recommendation for the principal to approve").check()
    await page.get_by_label("The decision").fill(RECOMMENDATION)
    await page.get_by_role("button", name="Record the decision").click()
    await page.get_by_role("status").wait_for()
    assert "recommended" in (await page.locator(".history").inner_text()).lower()
    await assert_accessible(page)
    if SHOOT:
        await screenshot(page, "run-team-teacher.png")


async def principal_approves(page, base: str) -> None:
    await sign_in(page, base, PRINCIPAL, pick=True)
    waiting = page.get_by_role("link", name=f"{TEAM}: {RECOMMENDATION}")
    await waiting.wait_for()
    assert await page.title() == "My work · plcflow"  # once held the whole recommendations section as text
    assert await page.get_by_role("link", name="Demo Middle School", exact=True).count() == 1  # her school's page, by its name
    await assert_accessible(page)
    if SHOOT:
        await screenshot(page, "run-my-work-principal-phone.png")
    await waiting.click()
    await page.get_by_label("Your reason").fill("Staffing allows it this term")
    await page.get_by_role("button", name="Approve").click()
    await page.get_by_role("status").wait_for()
    assert await page.get_by_role("heading", name="Recommendations waiting for you").count() == 0
    assert "approved" in (await page.locator(".history").inner_text()).lower()
    await assert_accessible(page)
    if SHOOT:
        await screenshot(page, "run-team-principal-phone.png")


async def supervisor_reads_the_dashboard(page, base: str) -> None:
    """Issue 11: the demo supervisor finds the demo team on the district dashboard, and its page read-only."""
    await sign_in(page, base, SUPERVISOR, pick=True)
    await page.get_by_role("link", name="Where every team of your schools stands").click()
    assert page.url == f"{base}/supervise"
    assert await page.get_by_role("rowheader", name="Demo Middle School").count() == 1
    await assert_accessible(page)
    await page.get_by_role("link", name="Demo Middle School", exact=True).click()
    await assert_accessible(page)
    await page.get_by_role("link", name=TEAM, exact=True).click()
    assert "read-only: you read it as a supervisor" in await page.locator(".lede").inner_text()
    assert await page.locator("main form").count() == 0


async def admin_sees_the_rollout_s_gaps(page, base: str) -> None:
    """The demo district's admin: the phase gaps that are theirs on My work, then the rollout's journey (issue 11)."""
    await sign_in(page, base, ADMIN, pick=True)
    mine = page.locator("section", has=page.get_by_role("heading", name="Phase gaps that are mine"))
    assert await mine.get_by_role("listitem").all_inner_texts() == ["a seated guiding coalition"]
    await mine.get_by_role("link").click()
    await page.get_by_role("heading", name="Now: form coalition").wait_for()
    assert await page.locator("#form-seat_coalition").count() == 1
    await assert_accessible(page)


async def test_make_run_serves_the_web_app_with_its_own_identity_provider(env):
    base = f"http://localhost:{env['PLCFLOW_WEB_PORT']}"
    proc = await started(env)
    try:
        assert_the_banner_says_where_and_who(proc, base)
        async with chromium() as browser:
            teacher = await browser.new_context(viewport=DESKTOP)
            await teacher_completes_the_step_and_recommends(await teacher.new_page(), base)
            principal = await browser.new_context(viewport=PHONE)
            await principal_approves(await principal.new_page(), base)
            supervisor = await browser.new_context(viewport=DESKTOP)
            await supervisor_reads_the_dashboard(await supervisor.new_page(), base)
            await admin_sees_the_rollout_s_gaps(await (await browser.new_context(viewport=DESKTOP)).new_page(), base)
            await stopped(proc, env)

            proc = await started(env)  # the same data folder: her session is still good (its secret was kept)
            page = await teacher.new_page()
            await page.goto(f"{base}/my-work")
            assert page.url == f"{base}/my-work"
            await page.get_by_role("heading", name="My work").wait_for()
            assert "pose question" in await page.locator(".card").first.inner_text()
    finally:
        await stopped(proc, env)
    secret = os.stat(os.path.join(env["PLCFLOW_DATA_DIR"], "session-secret"))
    assert stat.S_IMODE(secret.st_mode) == 0o600
