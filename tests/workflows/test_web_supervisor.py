"""Supervisors in a real Chromium (issue 11, "Supervisor: the existing dashboard, reached from the same sign-in,
read-only, scoped to their schools"; test "the principal approves a recommendation and the change shows on the
supervisor's dashboard"), and district admins and coalition members reading team pages they are not on.

Real parts: the local OpenID Connect provider, the app on a port, the time-skipping Temporal worker running the
teams, PostgreSQL with the projector run as make run's runs it (``Projector.catch_up``). Every page is checked
with axe-core. `PLCFLOW_SCREENSHOT=1` refreshes docs/web-supervisor-*.png."""

import os
from datetime import date, time
from uuid import uuid4

import pytest

from activities.projector import Projector
from app.files import load_district_file
from domain.district import Role
from domain.evidence import ResultScale
from domain.rollout import commands as rc
from domain.school import commands as sm
from domain.school.decider import decide as decide_school
from domain.school.state import SchoolState, evolve as evolve_school
from domain.team.commands import AdvanceStep, RecordDecision, RegisterTeam
from domain.team.policy import EscalationPolicy
from domain.team.profile import TeamProfile
from tests.support.builders import local
from tests.support.districts import suffixed
from tests.support.gwt import ROLLOUT
from tests.support.harness import eventually, settled
from tests.support.web import (DESKTOP, DOCS, PHONE, assert_accessible, chromium, identity_provider, runtime, screenshot,
                               serving, sign_in)
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import EXAMPLES, RATINGS
from tests.workflows.test_web import LEVELS, email
from workflows.persistence import to_rows

SUPERVISOR, COALITION, ADMIN, PRINCIPAL = "sv.supervisor", "sv.teaching", "sv.admin", "svm.principal"
RECOMMENDATION = "Two mixed Grade 7 classes instead of tracked ones"
SHOOT = os.environ.get("PLCFLOW_SCREENSHOT") == "1" or not (DOCS / "web-supervisor-phone.png").exists()


@pytest.fixture(scope="module")
def issuer():
    with identity_provider() as url:
        yield url


def opened_school(district_id: str, school, start, assessed: bool) -> list:
    """A launched school's events (its read model row, and a self-assessment on the rubric when ``assessed``)."""
    state, log = SchoolState(), []
    steps = [(sm.OpenSchool(actor=ADMIN, district_id=district_id, school=school, calendar=start.calendar,
                            rubric=start.rubric, coalition=(ADMIN,)), date(2026, 9, 14))]
    if assessed:
        steps.append((sm.SelfAssess(actor=PRINCIPAL, ratings=RATINGS), date(2026, 12, 1)))
    for command, day in steps:
        for e in decide_school(state, command, local(day)):
            state, log = evolve_school(state, e), [*log, e]
    return log


async def seed(harness) -> dict:
    """Silver Valley with work addresses, its coalition seated, a supervisor of the middle school only; the middle
    and high schools launched (the middle school self-assessed); one running team at each."""
    suffix = uuid4().hex[:8]
    start = suffixed(load_district_file(EXAMPLES / "silver-valley.yaml"), suffix)
    district = start.district
    ms, hs = (district.school(f"silver-valley-{s}-{suffix}") for s in ("ms", "hs"))
    supervisor = {"id": SUPERVISOR, "roles": (Role.SUPERVISOR,), "supervises": (ms.school_id,)}
    people = (*district.people, district.people[0].model_copy(update=supervisor))
    people = tuple(p.model_copy(update={"email": email(p.id, suffix)}) for p in people)
    start = start.model_copy(update={"district": district.model_copy(update={"people": people})})
    now = await harness.now()
    rollout = ROLLOUT.given_commands((start, now), (rc.SeatCoalition(actor=ADMIN, members=SV_COALITION), now))
    await harness.store.append(f"district-{district.district_id}", to_rows(1, rollout.log))
    for school, assessed in ((ms, True), (hs, False)):
        await harness.store.append(f"school-{school.school_id}",
                                   to_rows(1, opened_school(district.district_id, school, start, assessed)))
    layout = await harness.layout()
    teams = {}
    for key, school, name, facilitator, member, principal in (
            ("math", ms, "Grade 7 Math", "svm.math-lead", "sv.union", PRINCIPAL),
            ("algebra", hs, "Algebra", "svh.lead", "svh.teacher1", "svh.principal")):
        team_id = f"{key}-{suffix}"
        profile = TeamProfile(team_id=team_id, school_id=school.school_id, district_id=district.district_id, name=name,
                              facilitator=facilitator, members=(member,), principal=principal, coalition=(ADMIN,))
        policy = EscalationPolicy(result_scale=ResultScale(levels=LEVELS))
        await harness.teams.start(RegisterTeam(actor=ADMIN, team=profile, calendar=layout.calendar, policy=policy))
        harness.started.append(team_id)
        await settled(lambda: harness.status(team_id))
        teams[key] = team_id
    await Projector(harness.store.pool).catch_up()
    return {"suffix": suffix, "layout": layout, "ms": ms, "hs": hs, **teams}


async def recommend(harness, team_id: str) -> None:
    """Grade 7 Math completes its first step and recommends a change to its principal."""
    focus = {"focus": "Word problems", "results": [{"metric": "Unit 2", "n": 12, "counts": {"Developing": 5, "Proficient": 7}}]}
    await harness.send(team_id, AdvanceStep.model_validate({"actor": "sv.union", "step": "identify_focus", "evidence": focus}))
    await harness.send(team_id, RecordDecision(actor="sv.union", kind="recommendation", summary=RECOMMENDATION))
    await settled(lambda: harness.status(team_id))
    await Projector(harness.store.pool).catch_up()


async def overdue(harness, world) -> None:
    """Both teams' steps go a school day overdue: each escalates to its team (what is stalled, on the dashboard)."""
    layout, math = world["layout"], world["math"]
    due = (await harness.status(math)).state.due_on
    await harness.sleep_until(layout, layout.calendar.add_school_days(due, 1), time(12))
    for team in (math, world["algebra"]):
        await eventually(lambda: escalated(harness, team), f"{team} escalated")
        await settled(lambda: harness.status(team))
    await Projector(harness.store.pool).catch_up()


async def escalated(harness, team_id: str):
    return (await harness.status(team_id)).state.escalation


async def version(harness, team_id: str) -> int:
    return (await harness.status(team_id)).state.version


def section(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


async def counts_row(page, school: str) -> list[str]:
    table = page.get_by_role("region", name="Where teams stand")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=school, exact=True))
    return await row.get_by_role("cell").all_inner_texts()


async def test_a_supervisor_signs_in_and_sees_only_their_schools_at_both_widths(harness, issuer):
    world = await seed(harness)
    await recommend(harness, world["math"])
    await overdue(harness, world)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, email(SUPERVISOR, world["suffix"]))
            assert page.url == f"{base}/my-work"
            await assert_accessible(page)
            await section(page, "District dashboard").get_by_role("link").click()
            assert page.url == f"{base}/supervise"  # no token typed: the session is enough
            await page.get_by_role("heading", name="Where teams stand").wait_for()
            assert "you read it as a supervisor of Silver Valley Middle School" in await page.locator(".lede").inner_text()
            # Grade 7 Math is on its second step; the high school is not in her reach at all.
            assert await counts_row(page, "Silver Valley Middle School") == ["0", "1", "0", "0", "0", "0", "0", "0", "0", "1"]
            stalled = section(page, "What is stalled")
            assert await stalled.get_by_role("link", name="Grade 7 Math: pose question").count() == 1
            assert await page.get_by_role("rowheader", name="Silver Valley High School").count() == 0
            assert await page.get_by_text("Algebra").count() == 0
            rubric = page.get_by_role("region", name="Rubric levels per school")
            assert [" ".join(r.split()) for r in await rubric.get_by_role("row").all_inner_texts()][1:] == [
                "Silver Valley Middle School " + " ".join(["Developing"] * len(RATINGS))]
            waiting = section(page, "Recommendations waiting for a principal")
            assert await waiting.get_by_role("link", name=f"Grade 7 Math: {RECOMMENDATION}").count() == 1
            assert await page.locator("main form").count() == 0  # read-only: not one form
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if SHOOT:
                await screenshot(page, f"web-supervisor-{width}.png")
            # Her school's page: its teams, linked, and its rubric term by term.
            await page.get_by_role("link", name="Silver Valley Middle School", exact=True).click()
            assert page.url == f"{base}/supervise/schools/{world['ms'].school_id}"
            teams = section(page, "Teams")
            assert " ".join((await teams.get_by_role("listitem").inner_text()).split()).startswith(
                "Grade 7 Math: cycle 1, pose question, due ")
            trend = page.get_by_role("region", name="Rubric self-assessment")
            assert await trend.get_by_role("row").count() == 1 + len(RATINGS)
            assert await page.locator("main form").count() == 0
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        response = await page.goto(f"{base}/supervise/schools/{world['hs'].school_id}")  # not hers
        assert response.status == 403 and await page.get_by_role("heading", level=1).inner_text() == "Not your school"

        # A district admin reads the whole district there; a teacher is refused the page.
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(ADMIN, world["suffix"]), start="/supervise")
        assert page.url == f"{base}/supervise"
        assert await counts_row(page, "Silver Valley High School") == ["1", "0", "0", "0", "0", "0", "0", "0", "0", "1"]
        assert await counts_row(page, "Silver Valley Middle School") != []
        assert "you read it as a district admin of the whole district" in await page.locator(".lede").inner_text()
        await assert_accessible(page)
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email("svh.teacher1", world["suffix"]))  # on Algebra; not on the coalition
        assert await section(page, "District dashboard").count() == 0
        response = await page.goto(f"{base}/supervise")
        assert response.status == 403 and await page.get_by_role("heading", level=1).inner_text() == "Not a supervisor"
        await assert_accessible(page)


async def test_the_principal_approves_a_recommendation_and_the_change_shows_on_the_supervisor_s_dashboard(harness, issuer):
    world = await seed(harness)
    team = world["math"]
    await recommend(harness, team)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        supervisor = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(supervisor, base, email(SUPERVISOR, world["suffix"]), start="/supervise")
        waiting = section(supervisor, "Recommendations waiting for a principal")
        assert await waiting.get_by_role("link", name=f"Grade 7 Math: {RECOMMENDATION}").count() == 1

        principal = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(principal, base, email(PRINCIPAL, world["suffix"]))
        await principal.get_by_role("link", name=f"Grade 7 Math: {RECOMMENDATION}").click()
        await principal.get_by_label("Your reason").fill("Staffing allows it next term")
        await principal.locator("form.ruling").get_by_role("button", name="Approve").click()
        assert await principal.get_by_role("status").inner_text() == "The recommendation is approved."

        await Projector(harness.store.pool).catch_up()  # the approval reaches the read models
        await supervisor.reload()
        assert await waiting.get_by_role("link").count() == 0
        assert await waiting.locator("p").inner_text() == "No recommendation is waiting for a principal."
        await assert_accessible(supervisor)
        # She follows the team from her dashboard to its page: the approval is in its history, and she reads it only.
        await supervisor.get_by_role("link", name="Silver Valley Middle School", exact=True).click()
        assert await section(supervisor, "Recommendations waiting for a principal").get_by_role("link").count() == 0
        await supervisor.get_by_role("link", name="Grade 7 Math", exact=True).click()
        assert "read-only: you read it as a supervisor" in await supervisor.locator(".lede").inner_text()
        assert ("svm.principal approved recommendation c1-1 — “Staffing allows it next term”"
                in await supervisor.locator(".history").inner_text())
        assert await supervisor.locator("main form").count() == 0
        await assert_accessible(supervisor)
    status = await harness.assert_log_matches(team)
    assert [(d.status, d.ruling_reason) for d in status.state.decisions] == [("approved", "Staffing allows it next term")]


async def test_a_supervisor_s_post_to_a_team_form_is_refused_and_writes_nothing(harness, issuer):
    world = await seed(harness)
    team = world["math"]
    await recommend(harness, team)
    before = await version(harness, team)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, email(SUPERVISOR, world["suffix"]), start=f"/teams/{team}")
        csrf = await page.locator("input[name=csrf]").first.input_value()  # her own session's valid form token
        forms = {"approve": {"recommendation_id": "c1-1", "reason": "Looks good"},
                 "reject": {"recommendation_id": "c1-1", "reason": "No"},
                 "decide": {"kind": "lateral", "summary": "Ours now"},
                 "revisit": {"step": "identify_focus", "reason": "Again"},
                 "acknowledge": {"escalation_id": "x", "reason": "Seen"},
                 "advance": {"step": "pose_question", "question": "Why?"}}
        for action, form in forms.items():
            posted = await page.request.post(f"{base}/teams/{team}/{action}", form={"csrf": csrf, **form})
            assert posted.status == 403, action
            assert "Read only" in await posted.text()
        # A team of a school she does not supervise: neither its page nor its forms.
        response = await page.goto(f"{base}/teams/{world['algebra']}")
        assert response.status == 403 and await page.get_by_role("heading", level=1).inner_text() == "Not your team"
        await assert_accessible(page)
        posted = await page.request.post(f"{base}/teams/{world['algebra']}/decide",
                                         form={"csrf": csrf, "kind": "lateral", "summary": "Ours now"})
        assert posted.status == 403
    assert await version(harness, team) == before
    assert (await harness.assert_log_matches(team)).state.decisions[0].status == "pending"


async def test_a_coalition_member_and_a_district_admin_open_a_team_page_read_only(harness, issuer):
    world = await seed(harness)
    team = world["algebra"]
    before = await version(harness, team)
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        for person, role, viewport in ((COALITION, "coalition member", PHONE), (ADMIN, "district admin", DESKTOP)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, email(person, world["suffix"]))
            await section(page, "District dashboard").get_by_role("link").click()
            await page.get_by_role("link", name="Silver Valley High School", exact=True).click()
            await page.get_by_role("link", name="Algebra", exact=True).click()
            await page.get_by_role("heading", name="Now: identify focus").wait_for()
            assert f"read-only: you read it as a {role}" in await page.locator(".lede").inner_text()
            assert await page.locator("main form").count() == 0
            assert await page.get_by_role("heading", name="History").count() == 1
            await assert_accessible(page)
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            csrf = await page.locator("input[name=csrf]").first.input_value()
            posted = await page.request.post(f"{base}/teams/{team}/advance", form={
                "csrf": csrf, "step": "identify_focus", "focus": "Ours now", "note": "A note"})
            assert posted.status == 403 and "Read only" in await posted.text()
    assert await version(harness, team) == before


async def test_a_coalition_member_an_escalation_reached_answers_it_and_may_do_nothing_else(harness, issuer):
    """Overseeing is reading; what the domain lets a coalition member do on a team — acknowledge or snooze an
    escalation that reached them — is the one form they see, and the one post that passes."""
    world = await seed(harness)
    layout, team = world["layout"], f"science-{world['suffix']}"
    ladder = {"team": 0, "facilitator": 1, "principal": 2, "coalition": 3}
    profile = TeamProfile(team_id=team, school_id=world["ms"].school_id, district_id=f"silver-valley-{world['suffix']}",
                          name="Grade 8 Science", facilitator="svm.science-lead", members=("svm.teacher4",),
                          principal=PRINCIPAL, coalition=(COALITION,))
    policy = EscalationPolicy(result_scale=ResultScale(levels=LEVELS), ladder_school_days_past_due=ladder)
    await harness.teams.start(RegisterTeam(actor=ADMIN, team=profile, calendar=layout.calendar, policy=policy))
    harness.started.append(team)
    due = (await settled(lambda: harness.status(team))).state.due_on
    await harness.sleep_until(layout, layout.calendar.add_school_days(due, 4), time(12))

    async def at_coalition():
        esc = (await harness.status(team)).state.escalation
        return esc if esc and COALITION in esc.reached else None

    await eventually(at_coalition, "the escalation reached the coalition")
    await settled(lambda: harness.status(team))
    await Projector(harness.store.pool).catch_up()
    async with serving(runtime(harness), issuer) as base, chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, email(COALITION, world["suffix"]))
        await page.get_by_role("link", name="Grade 8 Science: identify focus").click()  # from the escalation itself
        assert "read-only: you read it as a coalition member" in await page.locator(".lede").inner_text()
        forms = [await f.get_attribute("action") for f in await page.locator("main form").all()]
        assert forms == [f"/teams/{team}/acknowledge", f"/teams/{team}/snooze"]
        await assert_accessible(page)
        before = await version(harness, team)
        csrf = await page.locator("input[name=csrf]").first.input_value()
        posted = await page.request.post(f"{base}/teams/{team}/decide",
                                         form={"csrf": csrf, "kind": "lateral", "summary": "Ours now"})
        assert posted.status == 403 and "Read only" in await posted.text()
        assert await version(harness, team) == before
        await page.get_by_label("Why you acknowledge it").fill("The coalition will call the principal on Monday")
        await page.get_by_role("button", name="Acknowledge").click()
        assert await page.get_by_role("status").inner_text() == "The escalation is acknowledged."
        await assert_accessible(page)
    status = await harness.assert_log_matches(team)
    assert (status.state.escalation.hold, status.state.escalation.level.value) == ("acknowledged", "coalition")
