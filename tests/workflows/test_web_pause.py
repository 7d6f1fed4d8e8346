"""Pause and resume from the team page (issue 11: the team page carries the team's commands), in a real Chromium
against a running worker and real PostgreSQL: a leader pauses with a reason and resumes; a member sees no such form
and a forged post from them is the domain's refusal, with nothing written."""

from tests.support.web import DESKTOP, assert_accessible, chromium, runtime, serving, sign_in
from tests.workflows.test_web import TEACHER_A, email, issuer, seed  # noqa: F401 (issuer is a fixture)


async def test_the_facilitator_pauses_the_team_with_a_reason_and_resumes_it(harness, issuer):  # noqa: F811
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email("svm.math-lead", world["suffix"]))
        await page.goto(f"{base}/teams/{team}")
        before = (await harness.status(team)).state.version

        await page.get_by_role("button", name="Pause").click()  # no reason: the field says so, nothing written
        assert "Error" in await page.locator("#f-pause-reason-error1").inner_text()
        assert (await harness.status(team)).state.version == before

        await page.get_by_label("Why").fill("State testing window")
        await page.get_by_role("button", name="Pause").click()
        assert await page.get_by_role("status").inner_text() == "The team is paused: its step's clock stops until it resumes."
        assert "paused: State testing window" in await page.locator(".lede").inner_text()
        assert "svm.math-lead paused the team — “State testing window”" in await page.locator(".history").inner_text()
        await assert_accessible(page)

        await page.get_by_label("Why").fill("Testing is over")
        await page.get_by_role("button", name="Resume").click()
        assert await page.get_by_role("status").inner_text() == (
            "The team resumed: its due date moved by the school days it was paused.")
        assert "paused" not in await page.locator(".lede").inner_text()
    status = await harness.assert_log_matches(team)
    assert status.state.paused is None


async def test_a_member_has_no_pause_form_and_a_forged_one_is_refused_in_the_domains_words(harness, issuer):  # noqa: F811
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        await page.goto(f"{base}/teams/{team}")
        assert await page.get_by_role("button", name="Pause").count() == 0
        before = (await harness.status(team)).state.version
        csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
        answer = await page.request.post(f"{base}/teams/{team}/pause", form={"csrf": csrf, "reason": "We are tired"})
        assert answer.status == 403
        assert "Only the facilitator or the principal of Grade 7 Math can pause the team" in await answer.text()
    assert (await harness.status(team)).state.version == before
