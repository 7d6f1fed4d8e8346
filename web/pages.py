"""The pages people work on: My work and the team page with its evidence form (issue 11).

Reads come from the read models (what is mine) and the team's workflow (its
live state) and event log (its history). Writes are the API's own commands
(``AdvanceStep`` from the evidence form, the others from ``web.actions``), sent
through ``app.teams``, so the domain decides; only the team's people reach
its page and forms.
"""

import asyncio
from datetime import UTC, datetime
from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from activities.tokens import Principal
from app.teams import UnknownTeam
from app.views import team_view
from domain.steps import STEPS
from workflows.persistence import stream_id

from . import actions, school_forms, session
from .district import my_rollout_work
from .evidence_form import GENERAL, MAX_RESULTS, MORE, advance_command, result_fields, results_shown
from .history import trail
from .oversight import oversight_of
from .render import page, sent_or_again
from .school import team_norms

ESCALATION_FORMS = ("acknowledge", "snooze")  # what an escalation's reached people may post (domain.team holds)
PARTICIPANTS = {"member", "facilitator"}  # who runs the cycle (domain.team.profile.TeamProfile.participants)
# After a command, the page it leads to shows it in the history: wait (briefly) until its events reach the log,
# which the workflow appends just after answering (workflows.persistence).
SAVED_WAIT, SAVED_POLL = 5.0, 0.05


def pages_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    async def my_team(me: Principal, team_id: str, acting: str | None = None) -> tuple[dict, list[str], str | None]:
        """The team, my roles on it, and what I read it as when I have none (``acting``: the form I post).

        Its people read and act (the domain decides what each may do). Issue 11: whoever its open escalation
        reached may read it and answer the escalation (domain.team: a hold is theirs); a district admin, a
        coalition member and a supervisor of its school (``web.oversight``) may read it; nobody else.
        """
        row = await rt.reads.team(team_id)
        if row is None or row["district_id"] != me.district_id:
            raise session.PageRefused(404, "No such team", f"There is no team {team_id} in your district.")
        roles = await rt.reads.team_roles(team_id, me.user_id)
        if roles:
            return row, roles, None
        answering = acting in ESCALATION_FORMS and await reached(team_id, me.user_id)
        reach = await oversight_of(rt.reads, me)
        if reach is not None and reach.reaches(row["school_id"]):
            if acting is None or answering:
                return row, [], f"a {reach.role}"
            raise session.PageRefused(403, "Read only", f"You read {row['name']} as a {reach.role}, so nothing was "
                                      "changed: only its members, facilitator and principal act on it.")
        if answering or (acting is None and await reached(team_id, me.user_id)):
            return row, [], "someone its escalation reached"
        raise session.PageRefused(403, "Not your team", f"You are not on {row['name']}: only its members, "
                                  "facilitator and principal can open its page.")

    async def reached(team_id: str, person_id: str) -> bool:
        """Whether the team's open escalation reached a person, in the team's own (live) word."""
        try:
            escalation = (await rt.teams.status(team_id)).state.escalation
        except UnknownTeam:
            return False
        return escalation is not None and person_id in escalation.reached

    @router.get("/")
    async def home(request: Request):
        return RedirectResponse("/my-work" if session.signed_in(request) else "/signin", status_code=303)

    @router.get("/my-work")
    async def my_work(request: Request, me: Principal = Depends(who)):
        teams = await rt.reads.my_teams(me.district_id, me.user_id)
        escalations = await rt.reads.escalations_reaching(me.district_id, me.user_id)
        waiting = await rt.reads.recommendations_waiting(me.district_id, me.user_id)
        schools = await rt.reads.schools_led(me.district_id, me.user_id)  # a principal's way to their school's page
        oversight = await oversight_of(rt.reads, me)  # a supervisor's, admin's or coalition member's way to more
        return page(request, "my_work.html", teams=teams, escalations=escalations, recommendations=waiting,
                    schools=schools, oversight=oversight, rollout=await my_rollout_work(rt, me, oversight))

    async def send_team(team_id: str, command) -> None:
        """A team command sent, and its events in the log before the page that shows them (``saved``)."""
        await saved(team_id, (await rt.teams.send(team_id, command)).version)

    async def saved(team_id: str, version: int) -> None:
        for _ in range(int(SAVED_WAIT / SAVED_POLL)):
            if (await rt.teams.status(team_id)).persisted_version >= version:
                return
            await asyncio.sleep(SAVED_POLL)

    async def live(team_id: str, name: str):
        try:
            return (await rt.teams.status(team_id)).state
        except UnknownTeam:
            raise session.PageRefused(404, "Team not running", f"{name} is not running any more.") from None

    async def team_page(request: Request, me: Principal, team_id: str, status: int = 200, **form):
        row, roles, reader = await my_team(me, team_id)
        state = await live(team_id, row["name"])
        events = await rt.events.read_stream(stream_id(team_id)) if rt.events else []
        view = team_view(state, state.calendar.local_date(datetime.now(UTC)))
        step_index = [s.value for s in STEPS].index(view.step) if view.step else -1
        levels = state.policy.result_scale.levels
        values = form.get("values", {})
        return page(request, "team.html", status, team=view, roles=roles, reader=reader, steps=STEPS, step_index=step_index,
                    levels=levels, history=trail(events, state.calendar.zone),
                    results=[result_fields(k, levels) for k in range(results_shown(values))], max_results=MAX_RESULTS,
                    can_advance=bool(PARTICIPANTS & set(roles)) and view.step is not None and not view.paused,
                    done=request.session.pop("done", None), errors=form.get("errors", {}), values=values,
                    norms=await team_norms(rt, row["school_id"], team_id))

    @router.get("/teams/{team_id}")
    async def team(request: Request, team_id: str, me: Principal = Depends(who)):
        return await team_page(request, me, team_id)

    @router.post("/teams/{team_id}/advance", dependencies=[Depends(session.check_csrf)])
    async def advance(request: Request, team_id: str, me: Principal = Depends(who)):
        row, _, _ = await my_team(me, team_id, "advance")  # someone not on the team is refused here, before any command is sent
        form = await request.form()
        if form.get(MORE):  # "Add another result": the page again with one more result fieldset, nothing sent
            return await team_page(request, me, team_id, values=dict(form))
        levels = (await live(team_id, row["name"])).policy.result_scale.levels
        command, errors = advance_command(me.user_id, form, levels)
        return await sent_or_again(request, command, errors, dict(form), lambda: send_team(team_id, command),
                                   partial(team_page, request, me, team_id), GENERAL,
                                   f"“{command.step.label}” is complete." if command else "", f"/teams/{team_id}")

    @router.post("/teams/{team_id}/norms", dependencies=[Depends(session.check_csrf)])
    async def record_norms(request: Request, team_id: str, me: Principal = Depends(who)):
        """The team's norms, recorded in its school's adoption (seed 002); the domain says who may (its facilitator
        or principal), so anyone else on the team gets its sentence and nothing is written."""
        row, _, _ = await my_team(me, team_id, "norms")  # a reader is refused here, before any command is sent
        command, errors, values, key = school_forms.command_from(
            "record_norms", me.user_id, {**dict(await request.form()), "team_id": team_id})
        return await sent_or_again(request, command, errors, values,
                                   lambda: rt.districts.send_school(row["school_id"], command),
                                   partial(team_page, request, me, team_id), f"{key}-form",
                                   school_forms.DONE["record_norms"], f"/teams/{team_id}#norms-heading")

    @router.post("/teams/{team_id}/{action}", dependencies=[Depends(session.check_csrf)])
    async def act(request: Request, team_id: str, action: str, me: Principal = Depends(who)):
        if action not in actions.FORMS:
            raise session.PageRefused(404, "No such form", f"A team has no form called {action}.")
        await my_team(me, team_id, action)  # a reader is refused here, before any command is sent
        form = await request.form()
        command, errors, values = actions.command_from(action, me.user_id, form)
        return await sent_or_again(request, command, errors, values, lambda: send_team(team_id, command),
                                   partial(team_page, request, me, team_id),
                                   f"{actions.form_key(action, dict(form))}-form", actions.DONE[action],
                                   f"/teams/{team_id}")

    return router
