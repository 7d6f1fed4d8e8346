"""The web app in a real Chromium (issue 11): sign-in through a real local OpenID Connect provider, My work,
the team page and its evidence form, against a running worker (time-skipping server) and real PostgreSQL.
Every page is checked with axe-core; My work and the team page are shot at phone and desktop widths."""

import os
import time as clock
from datetime import time
from uuid import uuid4

import httpx
import pytest

from activities.projector import Projector
from app.files import load_district_file
from domain.evidence import ResultScale
from domain.team.commands import AdvanceStep, RegisterTeam
from domain.team.policy import EscalationPolicy
from domain.team.profile import TeamProfile
from tests.support.districts import suffixed
from tests.support.gwt import ROLLOUT
from tests.support.harness import eventually, settled
from tests.support.web import (DESKTOP, DOCS, PHONE, assert_accessible, chromium, identity_provider, runtime, screenshot,
                               serving, sign_in)
from tests.unit.test_school_rules import EXAMPLES
from workflows.persistence import to_rows

LEVELS = ("Beginning", "Developing", "Proficient", "Advanced")  # the district's level names, not the default scale
TEACHER_A, TEACHER_B = "sv.union", "svm.ela-lead"  # a teacher on Grade 7 Math; one on Grade 8 Science


def email(person: str, suffix: str) -> str:
    return f"{person}.{suffix}@silver-valley.example.org"


@pytest.fixture(scope="module")
def issuer():
    with identity_provider() as url:
        yield url


async def seed(harness) -> dict:
    """A district whose people have work addresses (RolloutStarted, projected), and two of its teams running."""
    suffix = uuid4().hex[:8]
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), suffix)
    district = start.district
    people = tuple(p.model_copy(update={"email": email(p.id, suffix)}) for p in district.people)
    start = start.model_copy(update={"district": district.model_copy(update={"people": people})})
    layout = await harness.layout()
    rollout = ROLLOUT.given_commands((start, await harness.now()))
    await harness.store.append(f"district-{district.district_id}", to_rows(1, rollout.log))
    teams = {}
    for key, name, facilitator, member in (("a", "Grade 7 Math", "svm.math-lead", TEACHER_A),
                                           ("b", "Grade 8 Science", "svm.science-lead", TEACHER_B)):
        team_id = f"{key}-{suffix}"
        profile = TeamProfile(team_id=team_id, school_id=district.schools[0].school_id, district_id=district.district_id,
                              name=name, facilitator=facilitator, members=(member,), principal="svm.principal",
                              coalition=("sv.admin",))
        policy = EscalationPolicy(result_scale=ResultScale(levels=LEVELS))
        await harness.teams.start(RegisterTeam(actor="sv.admin", team=profile, calendar=layout.calendar, policy=policy))
        harness.started.append(team_id)
        await settled(lambda: harness.status(team_id))
        teams[key] = team_id
    await Projector(harness.store.pool).catch_up()
    return {"suffix": suffix, "layout": layout, **teams}


async def current_step(page) -> str:
    """The stepper's current step as a screen reader reads it (its number, its label, "current step")."""
    return " ".join((await page.locator("[aria-current=step]").text_content()).split())


async def version(harness, team_id: str) -> int:
    return (await harness.status(team_id)).state.version


async def test_a_teacher_signs_in_and_completes_a_step_with_evidence(harness, issuer):
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        assert page.url == f"{base}/my-work"  # the code came back in the callback's address and left it at once
        await page.get_by_role("heading", name="My work").wait_for()
        assert await page.get_by_role("link", name="Grade 7 Math").count() == 1
        assert await page.get_by_role("link", name="Grade 8 Science").count() == 0  # not her team
        await assert_accessible(page)

        await page.get_by_role("link", name="Grade 7 Math").click()
        await page.get_by_role("heading", name="Now: identify focus").wait_for()
        assert await current_step(page) == "1 identify focus (current step)"
        await assert_accessible(page)
        before = await version(harness, team)

        # Counts that do not add up: the model's sentence next to the field, nothing sent.
        await page.get_by_label("Focus statement").fill("Grade 7 students struggle with multi-step word problems.")
        await page.get_by_label("Measure", exact=True).fill("Unit 2 common assessment")
        await page.get_by_label("Students assessed").fill("24")
        for level, count in zip(LEVELS, (5, 9, 7, 2)):
            await page.get_by_label(f"Students at {level}").fill(str(count))
        await page.get_by_role("button", name="Complete “identify focus”").click()
        error = page.locator("#f-result_n-error1")
        assert " ".join((await error.text_content()).split()) == "Error: counts per level add up to 23, but n is 24"
        assert await page.get_by_label("Students assessed").get_attribute("aria-invalid") == "true"
        assert await page.get_by_label("Focus statement").input_value() != ""  # what she typed is kept
        await assert_accessible(page)
        assert await version(harness, team) == before

        # A step's missing evidence: the domain's own sentence, nothing written.
        await page.get_by_label("Focus statement").fill("")
        await page.get_by_label("Students at Advanced").fill("3")
        await page.get_by_role("button", name="Complete “identify focus”").click()
        assert await page.get_by_role("alert").inner_text() == (
            "Nothing was saved\nIdentify focus needs a focus statement before it can be completed.")
        assert await version(harness, team) == before

        await page.get_by_label("Focus statement").fill("Grade 7 students struggle with multi-step word problems.")
        await page.get_by_label("Note").fill("Most errors come from setting up the equation.")
        await page.get_by_role("button", name="Complete “identify focus”").click()
        await page.get_by_role("status").wait_for()
        assert await page.get_by_role("status").inner_text() == "“identify focus” is complete."
        assert await current_step(page) == "2 pose question (current step)"
        history = await page.locator(".history").inner_text()
        assert f"{TEACHER_A} completed “identify focus” with its focus, 1 aggregate result, 1 note" in history
        await assert_accessible(page)

    status = await harness.assert_log_matches(team)
    done = status.state.evidence
    (evidence,) = done.values()
    assert evidence.results[0].counts == dict(zip(LEVELS, (5, 9, 7, 3)))  # stored in the district's level names
    assert status.state.step.value == "pose_question"


async def test_a_teacher_of_another_team_cannot_open_it_or_act_on_it(harness, issuer):
    world = await seed(harness)
    team = world["a"]
    before = await version(harness, team)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_B, world["suffix"]))
        response = await page.goto(f"{base}/teams/{team}")
        assert response.status == 403
        assert await page.get_by_role("heading", level=1).inner_text() == "Not your team"
        assert "You are not on Grade 7 Math" in await page.locator(".problem").inner_text()
        await assert_accessible(page)
        # Even with her own session's valid form token, a post to the other team is refused before it is sent.
        await page.goto(f"{base}/teams/{world['b']}")
        csrf = await page.locator("input[name=csrf]").first.input_value()
        posted = await page.request.post(f"{base}/teams/{team}/advance", form={
            "csrf": csrf, "step": "identify_focus", "focus": "Ours now", "note": "A note"})
        assert posted.status == 403 and "Not your team" in await posted.text()
    assert await version(harness, team) == before


async def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(harness, issuer):
    world = await seed(harness)
    team = world["a"]
    before = await version(harness, team)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        form = {"step": "identify_focus", "focus": "A focus", "result_metric": "Unit 2", "result_n": "1", "count_0": "1"}
        for token in ({}, {"csrf": "forged-" + "x" * 40}):
            posted = await page.request.post(f"{base}/teams/{team}/advance", form={**form, **token})
            assert posted.status == 403
            assert "Form expired or forged" in await posted.text()
        signed_out = await page.request.post(f"{base}/signout", form={})
        assert signed_out.status == 403  # signing out is a change too
        assert (await page.goto(f"{base}/my-work")).status == 200  # still signed in
    assert await version(harness, team) == before


async def test_a_step_is_completed_with_the_keyboard_alone(harness, issuer):
    world = await seed(harness)
    team = world["a"]
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]), start=f"/teams/{team}")
        assert page.url == f"{base}/teams/{team}"  # back to the page she asked for
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to main content"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "main"
        typed = {"f-focus": "Word problems", "f-result_metric": "Unit 2", "f-result_n": "4", "f-count_2": "4"}
        for _ in range(60):
            await page.keyboard.press("Tab")
            focused = await page.evaluate("document.activeElement.id || document.activeElement.textContent")
            if focused in typed:
                await page.keyboard.type(typed.pop(focused))
            elif focused == "Complete “identify focus”":
                assert not typed, f"the submit button came before {list(typed)}"
                break
        # the focus ring is visible: an outline of 3 px
        assert await page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
        await page.keyboard.press("Enter")
        await page.get_by_role("status").wait_for()
    assert (await harness.assert_log_matches(team)).state.step.value == "pose_question"


async def test_someone_the_district_does_not_know_gets_a_clear_page_and_no_session(harness, issuer):
    await seed(harness)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, "stranger@elsewhere.example.org")
        assert await page.get_by_role("heading", level=1).inner_text() == "You are not on plcflow's list"
        assert ("You signed in as stranger@elsewhere.example.org, but no person of your district has that work "
                "address in plcflow." in await page.locator(".problem").inner_text())
        await assert_accessible(page)
        response = await page.goto(f"{base}/my-work")
        assert page.url == f"{base}/signin" and response.status == 200
        await assert_accessible(page)


async def test_the_session_cookie_and_signing_out(harness, issuer):
    world = await seed(harness)
    async with serving(runtime(harness), issuer, session_hours=2) as base, chromium() as browser:
        context = await browser.new_context(viewport=DESKTOP)
        page = await context.new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]))
        (cookie,) = [c for c in await context.cookies() if c["name"] == "plcflow_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert not cookie["secure"]  # http://127.0.0.1 only; tests/unit/test_web_settings: Secure elsewhere
        assert 2 * 3600 - 120 < cookie["expires"] - clock.time() <= 2 * 3600
        assert world["suffix"] not in cookie["value"] or "." in cookie["value"]  # signed, not a bare id
        # The API does not take the cookie: scripts and the CLI keep their bearer tokens.
        async with httpx.AsyncClient(base_url=base, cookies={"plcflow_session": cookie["value"]}) as api:
            assert (await api.get("/v1/me")).status_code == 401
            rt_token = await runtime(harness).tokens.create(TEACHER_A, "user", f"silver-valley-{world['suffix']}")
            assert (await api.get("/v1/me", headers={"Authorization": f"Bearer {rt_token}"})).json()["user_id"] == TEACHER_A
        await page.get_by_role("button", name="Sign out").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "You are signed out"
        await assert_accessible(page)
        await page.goto(f"{base}/my-work")
        assert page.url == f"{base}/signin"


async def test_my_work_shows_an_escalation_that_reached_me_and_both_pages_fit_a_phone(harness, issuer):
    world = await seed(harness)
    layout = world["layout"]
    due = (await harness.status(world["b"])).state.due_on
    await harness.sleep_until(layout, layout.calendar.add_school_days(due, 1), time(12))
    await eventually(lambda: _escalated(harness, world["b"]),
                     "Grade 8 Science escalated")
    await settled(lambda: harness.status(world["b"]))
    await Projector(harness.store.pool).catch_up()
    shoot = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-my-work-phone.png").exists()
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, email(TEACHER_B, world["suffix"]))
            escalations = page.locator("section", has=page.get_by_role("heading", name="Escalations that reached me"))
            assert await escalations.get_by_role("link", name="Grade 8 Science: identify focus").count() == 1
            assert "Overdue: escalated to the team" in await page.locator(".card").first.inner_text()
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if shoot:
                await screenshot(page, f"web-my-work-{width}.png")
            await page.get_by_role("link", name="Grade 8 Science", exact=True).click()
            await page.get_by_role("heading", name="Now: identify focus").wait_for()
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if shoot:
                await screenshot(page, f"web-team-{width}.png")


async def _escalated(harness, team_id):
    return (await harness.status(team_id)).state.escalation


async def test_sign_in_is_refused_with_a_page_when_the_provider_says_no_or_does_not_vouch(harness, issuer):
    world = await seed(harness)
    teacher = email(TEACHER_A, world["suffix"])
    async with serving(runtime(harness), issuer, districts=("another-district",)) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, teacher)  # her provider is not trusted for her district here
        assert await page.get_by_role("heading", level=1).inner_text() == "You are not on plcflow's list"
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await page.goto(f"{base}/signin")
        await page.get_by_role("link", name="Sign in with your district account").click()
        await page.get_by_role("button", name="Deny").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Sign-in did not finish"
        await assert_accessible(page)
        async with httpx.AsyncClient() as provider:  # the provider now says her address is not verified
            claims = {"email": teacher, "email_verified": False}
            assert (await provider.put(f"{issuer}/users/{teacher}", json=claims)).status_code < 300
        await sign_in(page, base, teacher)
        assert await page.get_by_role("heading", level=1).inner_text() == "No verified email address"
        assert (await page.goto(f"{base}/my-work")) and page.url == f"{base}/signin"  # and no session was made


async def test_a_recommendation_goes_to_the_principal_who_approves_it_with_a_reason(harness, issuer):
    world = await seed(harness)
    team = world["a"]
    focus = {"focus": "Word problems", "results": [{"metric": "Unit 2", "n": 12, "counts": {"Developing": 5, "Proficient": 7}}]}
    await harness.send(team, AdvanceStep.model_validate({"actor": TEACHER_A, "step": "identify_focus", "evidence": focus}))
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(TEACHER_A, world["suffix"]), start=f"/teams/{team}")
        await page.get_by_label("A recommendation for the principal to approve").check()
        await page.get_by_label("The decision").fill("Two mixed Grade 7 classes instead of tracked ones")
        await page.get_by_role("button", name="Record the decision").click()
        assert await page.get_by_role("status").inner_text() == "The decision is recorded."
        await page.get_by_label("Step", exact=True).select_option(label="identify focus")
        await page.get_by_label("Why the team goes back").fill("The first data summary left out Period 3")
        await page.get_by_role("button", name="Go back").click()
        assert await page.get_by_role("status").inner_text() == "The team went back to an earlier step."
        assert await current_step(page) == "1 identify focus (current step)"
        await assert_accessible(page)

        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email("svm.principal", world["suffix"]))
        await Projector(harness.store.pool).catch_up()  # the recommendation reaches the read models
        await page.reload()
        await assert_accessible(page)
        await page.get_by_role("link", name="Grade 7 Math: Two mixed Grade 7 classes instead of tracked ones").click()
        waiting = page.locator("form.ruling")
        assert await waiting.get_by_role("heading").inner_text() == "Two mixed Grade 7 classes instead of tracked ones"
        before = await version(harness, team)
        await waiting.get_by_role("button", name="Approve").click()  # without a reason
        assert " ".join((await page.locator(".error").first.text_content()).split()) == "Error: must not be blank"
        await assert_accessible(page)
        assert await version(harness, team) == before
        await page.get_by_label("Your reason").fill("Staffing allows it next term")
        await page.locator("form.ruling").get_by_role("button", name="Approve").click()
        assert await page.get_by_role("status").inner_text() == "The recommendation is approved."
        history = await page.locator(".history").inner_text()
        assert "svm.principal approved recommendation c1-1 — “Staffing allows it next term”" in history
        assert f"{TEACHER_A} went back from “pose question” to “identify focus” — “The first data summary left out Period 3”" in history
        assert await page.locator("form.ruling").count() == 0
        await assert_accessible(page)
    status = await harness.assert_log_matches(team)
    assert [(d.status, d.ruling_reason) for d in status.state.decisions] == [("approved", "Staffing allows it next term")]


async def test_a_facilitator_snoozes_an_escalation_that_reached_her_with_a_reason(harness, issuer):
    world = await seed(harness)
    team, layout = world["a"], world["layout"]
    due = (await harness.status(team)).state.due_on
    await harness.sleep_until(layout, layout.calendar.add_school_days(due, 3), time(12))

    async def at_facilitator():
        esc = (await harness.status(team)).state.escalation
        return esc if esc and "svm.math-lead" in esc.reached else None

    escalation = await eventually(at_facilitator, "the escalation reached the facilitator")
    await settled(lambda: harness.status(team))
    await Projector(harness.store.pool).catch_up()
    until = layout.calendar.add_school_days(due, 6)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email("svm.math-lead", world["suffix"]))
        await page.get_by_role("link", name="Grade 7 Math: identify focus").click()  # from the escalation itself
        await page.get_by_label("Snooze until").fill(until.isoformat())
        await page.get_by_label("Why you snooze it").fill("The data arrives Friday")
        await page.get_by_role("button", name="Snooze").click()
        assert await page.get_by_role("status").inner_text() == "The escalation is snoozed."
        assert (f"svm.math-lead snoozed the escalation until {until.isoformat()} — “The data arrives Friday”"
                in await page.locator(".history").inner_text())
        await assert_accessible(page)
    status = await harness.assert_log_matches(team)
    assert (status.state.escalation.id, status.state.escalation.hold) == (escalation.id, "snoozed")
