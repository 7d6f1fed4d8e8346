"""The principal's school page (issue 11, "Principal": the school — teams × steps, what is stalled, norms reviews
due; the rubric self-assessment and its trend).

Teams × steps and what is stalled come from the read models (``team_status``,
``open_escalations``): one page for a school of any size. Norms, the
self-assessments and the school's own escalations come from the school's
adoption workflow (its status query), which only a school opened by a rollout
has (``school_status``); a standalone team's school shows the grid alone.
Who may open it and post its forms: a principal of one of the school's active
teams (``team_people``), as the teams themselves know their principal (seed
002: the principal leads the school's teams), or a member of the district's
guiding coalition the school knows (a school escalation may reach them); anyone
else gets the 403 page and nothing is sent. What each may do is the domain's.
"""

from collections import Counter
from functools import partial

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup

from activities.tokens import Principal
from app.teams import UnknownTeam
from domain.rubric import Assessment, Rubric
from domain.school.state import SchoolState
from domain.steps import STEPS
from simulation.chart import Series, line_chart

from . import school_forms, session
from .render import page, sent_or_again

STEP_VALUES = [s.value for s in STEPS]
# One colour per rubric dimension (seed 004 has five), every one at least 4.5:1 on white; alternate lines dashed.
COLORS = ("#1f5fa8", "#b04a12", "#1e6b35", "#8b1a6b", "#4a5360", "#7a5c00")


def grid_row(team: dict) -> dict:
    """One team across the cycle's steps: which are behind it, which it is on."""
    at = STEP_VALUES.index(team["step"]) if team["step"] in STEP_VALUES else -1
    return {**team, "at": at}


def trend_chart(rubric: Rubric, assessments: tuple[Assessment, ...]) -> Markup:
    """The school's self-assessments over time (seed 004): a line per dimension, the district's levels up the side."""
    labels = [f"{a.term}\n{a.assessed_on.isoformat()}" for a in assessments]
    series = [Series(d.name, COLORS[i % len(COLORS)], [rubric.rank(a.ratings[d.id]) if d.id in a.ratings else None
                                                         for a in assessments], dashed=i % 2 == 1)
              for i, d in enumerate(rubric.dimensions)]
    latest = assessments[-1] if assessments else None
    desc = (f"{len(assessments)} self-assessment{'' if len(assessments) == 1 else 's'}; the latest, in {latest.term}, rates "
            + "; ".join(f"{d.name} {latest.ratings.get(d.id, 'unrated')}" for d in rubric.dimensions) + "."
            if latest else "No self-assessment yet.")
    width = max(420, 112 + 110 * len(assessments))  # fits a phone until the terms need more room (then it scrolls)
    return Markup(line_chart("The school's rubric self-assessments", labels, series, x_title="term and the day it was assessed",
                             y_title="level", y_ticks=list(enumerate(rubric.levels)), width=width, left=96, inset=48, dodge=7, markers=True,
                             desc=desc, font_size=13))


def norms_rows(state: SchoolState) -> list[dict]:
    """Each active team's norms and whether its review is due this term (seed 002: norms reviewed every term)."""
    return [{"team_id": i, "name": t.spec.name, "facilitator": t.spec.facilitator, "procedural": t.procedural_norms,
             "conversational": t.conversational_norms, "due": t.norms_reviewed_term != state.term,
             "reviewed_term": t.norms_reviewed_term}
            for i, t in sorted(state.active_teams().items(), key=lambda kv: kv[1].spec.name)]


def school_escalations(state: SchoolState) -> list[dict]:
    """The school's own open escalations (norms reviews, the self-assessment, the roster of teams), named in words."""
    def title(subject: str) -> str:
        if subject.startswith("norms:"):
            team = state.teams.get(subject.removeprefix("norms:"))
            return f"{team.spec.name if team else subject.removeprefix('norms:')}: norms review"
        return "Self-assessment" if subject == "assessment" else f"Teams for {subject.split(':', 1)[-1]}: confirmation"
    return [{**e.model_dump(), "title": title(e.subject)} for e in sorted(state.escalations.values(), key=lambda e: e.raised_at)]


async def school_state(rt, school_id: str) -> SchoolState | None:
    """The school's adoption as it stands, if a rollout opened it (``school_status`` has it); else None."""
    if await rt.reads.school(school_id) is None:
        return None
    try:
        return (await rt.districts.school_status(school_id)).state
    except UnknownTeam:
        return None


async def team_norms(rt, school_id: str, team_id: str) -> dict | None:
    """A team's norms for its own page (issue 11, "Team": norms), from its school's adoption; None when no rollout
    opened the school (a standalone team keeps none) or the school does not know the team."""
    state = await school_state(rt, school_id)
    return next((n for n in norms_rows(state) if n["team_id"] == team_id), None) if state else None


def school_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    async def my_school(me: Principal, school_id: str) -> tuple[dict, SchoolState | None, str]:
        """The school's row, its live state and who I am to it; or the 403 page."""
        led = {s["school_id"]: s for s in await rt.reads.schools_led(me.district_id, me.user_id)}
        state = await school_state(rt, school_id)
        if state is not None and state.district_id != me.district_id:
            state = None
        if school_id in led:
            return led[school_id], state, "principal"
        if state is not None and me.user_id in state.coalition:
            teams = [t for t in await rt.reads.teams(me.district_id, (school_id,)) if not t["retired_at"]]
            return {"school_id": school_id, "name": state.school.name, "teams": len(teams),
                    "escalated": sum(1 for t in teams if t["escalation_id"])}, state, "coalition"
        raise session.PageRefused(403, "Not your school", f"You are not the principal of a team at {school_id}: "
                                  "only its principal, or the district's guiding coalition, can open its page.")

    async def school_page(request: Request, me: Principal, school_id: str, status: int = 200, **form):
        row, state, role = await my_school(me, school_id)
        teams = sorted((t for t in await rt.reads.teams(me.district_id, (school_id,)) if not t["retired_at"]),
                       key=lambda t: t["name"])
        names = {t["team_id"]: t["name"] for t in teams}
        stalled = await rt.reads.stalled(me.district_id, (school_id,))
        if state is not None:  # the school's own escalations are shown with their answers below
            stalled = [e for e in stalled if e["kind"] != "school"]
        per_step = Counter(t["step"] for t in teams)
        return page(request, "school.html", status, school=row, role=role, rows=[grid_row(t) for t in teams],
                    steps=STEPS, per_step=[per_step[s.value] for s in STEPS], between=per_step[None],
                    stalled=[{**e, "team_name": names.get(e["team_id"])} for e in stalled], state=state,
                    norms=norms_rows(state) if state else [], escalations=school_escalations(state) if state else [],
                    chart=trend_chart(state.rubric, state.assessments) if state else None,
                    done=request.session.pop("done", None), errors=form.get("errors", {}), values=form.get("values", {}))

    @router.get("/schools/{school_id}")
    async def school(request: Request, school_id: str, me: Principal = Depends(who)):
        return await school_page(request, me, school_id)

    async def assessable(me: Principal, school_id: str) -> SchoolState:
        _, state, _ = await my_school(me, school_id)
        if state is None:
            raise session.PageRefused(404, "No self-assessment here", f"{school_id} was not opened by the district's "
                                      "rollout, so it has no rubric to assess itself on.")
        return state

    async def assessment_page(request: Request, me: Principal, school_id: str, status: int = 200, **form):
        state = await assessable(me, school_id)
        return page(request, "self_assessment.html", status, state=state, rubric=state.rubric,
                    errors=form.get("errors", {}), values=form.get("values", {}))

    @router.get("/schools/{school_id}/self-assessment")
    async def self_assessment(request: Request, school_id: str, me: Principal = Depends(who)):
        return await assessment_page(request, me, school_id)

    @router.post("/schools/{school_id}/self-assessment", dependencies=[Depends(session.check_csrf)])
    async def self_assess(request: Request, school_id: str, me: Principal = Depends(who)):
        state = await assessable(me, school_id)  # refused here (403), before any command is sent
        command, errors, values = school_forms.self_assessment(me.user_id, await request.form(), state.rubric)
        return await sent_or_again(request, command, errors, values, lambda: rt.districts.send_school(school_id, command),
                                   partial(assessment_page, request, me, school_id), f"{school_forms.ASSESS}-form",
                                   school_forms.DONE["self_assess"], f"/schools/{school_id}#assessment-heading")

    @router.post("/schools/{school_id}/{action}", dependencies=[Depends(session.check_csrf)])
    async def act(request: Request, school_id: str, action: str, me: Principal = Depends(who)):
        if action not in school_forms.FORMS:
            raise session.PageRefused(404, "No such form", f"A school has no form called {action}.")
        _, state, _ = await my_school(me, school_id)
        if state is None:
            raise session.PageRefused(404, "Not opened by a rollout", f"{school_id} has no adoption workflow to record this in.")
        command, errors, values, key = school_forms.command_from(action, me.user_id, await request.form())
        return await sent_or_again(request, command, errors, values, lambda: rt.districts.send_school(school_id, command),
                                   partial(school_page, request, me, school_id), f"{key}-form",
                                   school_forms.DONE[action], f"/schools/{school_id}")

    return router
