"""Several aggregate results in one step's evidence (issue 11: "aggregate results with the district's level
names"), in a real Chromium: "Add another result" brings one more fieldset and keeps what was typed, sends
nothing; an error in the second result stands next to the second result's field; both results are stored."""

from tests.support.web import PHONE, assert_accessible, chromium, runtime, serving, sign_in
from tests.workflows.test_web import LEVELS, TEACHER_A, email, issuer, seed  # noqa: F401 (issuer is a fixture)


async def test_a_teacher_completes_a_step_with_two_aggregate_results(harness, issuer):  # noqa: F811
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        await page.goto(f"{base}/teams/{team}")
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
