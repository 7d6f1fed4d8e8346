"""The team page's other forms in a real Chromium against a running worker and real PostgreSQL (issue 11: the
team page carries the team's commands): several aggregate results in one step's evidence ("aggregate results with
the district's level names"); pause and resume by a leader, refused to a member in the domain's words."""

from contextlib import asynccontextmanager

from tests.support.web import DESKTOP, PHONE, assert_accessible, chromium, runtime, serving, sign_in
from tests.workflows.test_web import LEVELS, TEACHER_A, email, issuer, seed  # noqa: F401 (issuer is a fixture)


@asynccontextmanager
async def on_team_page(harness, issuer, person: str, viewport=DESKTOP):  # noqa: F811
    """A seeded district's team page ("Grade 7 Math"), signed in as ``person``: yields the page, the app, the team."""
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=viewport)).new_page()
        await sign_in(page, base, email(person, world["suffix"]))
        await page.goto(f"{base}/teams/{team}")
        yield page, base, team


async def test_a_teacher_completes_a_step_with_two_aggregate_results(harness, issuer):  # noqa: F811
    """'Add another result' brings one more fieldset, keeps what was typed and sends nothing; an error in the
    second result stands next to the second result's field; both results are stored."""
    async with on_team_page(harness, issuer, TEACHER_A, PHONE) as (page, _, team):
        before = (await harness.status(team)).state.version
        await page.get_by_label("Focus statement").fill("Fractions on a number line")
        await page.get_by_label("Measure", exact=True).fill("Unit 4 common assessment")
        await page.get_by_label("Students assessed", exact=True).fill("20")
        for level, count in zip(LEVELS, (4, 8, 6, 2)):
            await page.get_by_label(f"Students at {level}", exact=True).fill(str(count))

        await page.get_by_role("button", name="Add another result").click()
        await page.get_by_label("Measure (result 2)").wait_for()
        assert await page.get_by_label("Measure", exact=True).input_value() == "Unit 4 common assessment"  # kept
        assert (await harness.status(team)).state.version == before  # nothing sent
        await assert_accessible(page)

        await page.get_by_label("Measure (result 2)").fill("Exit tickets, week 3")
        await page.get_by_label("Students assessed (result 2)").fill("22")
        for level, count in zip(LEVELS, (2, 5, 10, 4)):  # 21 of 22: the second result's own error
            await page.get_by_label(f"Students at {level} (result 2)").fill(str(count))
        await page.get_by_role("button", name="Complete “identify focus”").click()
        error = page.locator("#f-result2_n-error1")
        assert " ".join((await error.text_content()).split()) == "Error: counts per level add up to 21, but n is 22"
        assert await page.locator("#f-result_n-error1").count() == 0  # the first result is fine
        assert (await harness.status(team)).state.version == before

        await page.get_by_label(f"Students at {LEVELS[-1]} (result 2)").fill("5")
        await page.get_by_role("button", name="Complete “identify focus”").click()
        assert await page.get_by_role("status").inner_text() == "“identify focus” is complete."
        assert "2 aggregate results" in await page.locator(".history").inner_text()
    status = await harness.assert_log_matches(team)
    (evidence,) = status.state.evidence.values()
    assert [(r.metric, r.n, r.counts) for r in evidence.results] == [
        ("Unit 4 common assessment", 20, dict(zip(LEVELS, (4, 8, 6, 2)))),
        ("Exit tickets, week 3", 22, dict(zip(LEVELS, (2, 5, 10, 5))))]


async def test_the_facilitator_pauses_the_team_with_a_reason_and_resumes_it(harness, issuer):  # noqa: F811
    async with on_team_page(harness, issuer, "svm.math-lead") as (page, _, team):
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
    async with on_team_page(harness, issuer, TEACHER_A) as (page, base, team):
        assert await page.get_by_role("button", name="Pause").count() == 0
        before = (await harness.status(team)).state.version
        csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
        answer = await page.request.post(f"{base}/teams/{team}/pause", form={"csrf": csrf, "reason": "We are tired"})
        assert answer.status == 403
        assert "Only the facilitator or the principal of Grade 7 Math can pause the team" in await answer.text()
    assert (await harness.status(team)).state.version == before
