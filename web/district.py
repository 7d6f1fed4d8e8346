"""The district admin's pages (issue 11, "District admin"): the rollout as a journey, each phase's forms, the
rollout's escalations, and starting a rollout by uploading a district file.

Live state is the district workflow's status query (``app.districts``); the
gate's checklist is the decider's own (``domain.rollout.gates.gate_checklist``)
and who is offered a form is the domain's table (``domain.rollout.acting``), so
the page never promises what the decider would refuse. Commands go through
``DistrictClient.send``; a refusal is shown as the domain's sentence and nothing
is written. Only the district's admins and its guiding coalition open the
journey; a coalition member gets the forms seed 001 gives the coalition.
"""

import asyncio
from datetime import UTC, datetime
from functools import partial

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile
from temporalio.service import RPCError

from activities.tokens import Principal
from app.files import parse_district
from app.teams import CommandRefused, UnknownTeam
from domain.errors import InvalidConfiguration
from domain.rollout import commands as c
from domain.rollout.acting import may_send
from domain.rollout.gates import gate_checklist
from domain.rollout.phases import PHASES
from domain.school.terms import terms

from . import district_forms as forms
from . import session
from .render import page, sent_or_again

SAVED_WAIT, SAVED_POLL = 5.0, 0.05  # as the team page: the page after a command shows it once it is in the log
UPLOAD_LIMIT = 5 * 1024 * 1024  # a district of thousands of staff; the largest example (cobb-like.yaml) is 22 kB
SECTIONS = ("calendar", "rubric")  # what a district file may name by a path relative to itself


def district_router(rt, who) -> APIRouter:
    """``who``: the signed-in person (``session.person``)."""
    router = APIRouter(include_in_schema=False)

    async def my_rollout(me: Principal, district_id: str):
        if district_id != me.district_id:
            raise session.PageRefused(403, "Not your district", f"You are signed in to {me.district_id}, not {district_id}.")
        try:
            status = await rt.districts.status(district_id)
        except UnknownTeam:
            raise session.PageRefused(404, "No rollout yet", f"District {district_id} has not started its rollout. "
                                      "A district admin starts it by uploading the district file.") from None
        s = status.state
        if me.user_id not in s.district.admins and me.user_id not in s.coalition:
            raise session.PageRefused(403, "Not your rollout", f"Only the district admins and the guiding coalition of "
                                      f"{s.district.name} can open its rollout; you are neither.")
        return status

    async def journey(request: Request, me: Principal, district_id: str, status: int = 200, **form):
        live = await my_rollout(me, district_id)
        today = live.state.calendar.local_date(datetime.now(UTC))
        return page(request, "district.html", status, done=request.session.pop("done", None),
                    **journey_context(live.state, me.user_id, today, live.schools_started,
                                      form.get("errors", {}), form.get("values", {})))

    async def saved(district_id: str, version: int) -> None:
        for _ in range(int(SAVED_WAIT / SAVED_POLL)):
            if (await rt.districts.status(district_id)).persisted_version >= version:
                return
            await asyncio.sleep(SAVED_POLL)

    @router.get("/districts/new")
    async def new(request: Request, me: Principal = Depends(who)):
        return page(request, "district_new.html", district_id=me.district_id)

    @router.post("/districts/new", dependencies=[Depends(session.check_csrf)])
    async def start_rollout(request: Request, me: Principal = Depends(who)):
        problems, data, unresolved = read_uploads(await request.form())
        if data is not None:
            try:
                command = parse_district(data).model_copy(update={"actor": me.user_id})
            except InvalidConfiguration as err:  # a section not uploaded is reported once, by read_uploads
                problems += [p for p in err.problems if not any(under(p, section) for section in unresolved)]
        if problems:
            return page(request, "district_new.html", 422, district_id=me.district_id, problems=problems)
        d = command.district
        if d.district_id != me.district_id or me.user_id not in d.admins:
            raise session.PageRefused(403, "Not yours to start",
                                      f"Only a district admin of {d.name}, signed in to {d.district_id}, can start its rollout; "
                                      f"you are {me.user_id} of {me.district_id}. Nothing was started.")
        try:
            await rt.districts.start(command)
        except CommandRefused as refused:
            return page(request, "district_new.html", 409, district_id=me.district_id, refused=refused.reason)
        request.session["done"] = f"The rollout of {d.name} has started."
        return RedirectResponse(f"/districts/{d.district_id}", status_code=303)

    @router.get("/districts/{district_id}")
    async def rollout(request: Request, district_id: str, me: Principal = Depends(who)):
        return await journey(request, me, district_id)

    @router.post("/districts/{district_id}/{action}", dependencies=[Depends(session.check_csrf)])
    async def act(request: Request, district_id: str, action: str, me: Principal = Depends(who)):
        if action not in forms.BY_ACTION:
            raise session.PageRefused(404, "No such form", f"A rollout has no form called {action}.")
        await my_rollout(me, district_id)  # anyone else is refused here, before any command is sent
        submitted = await request.form()
        command, errors, values = forms.command_from(action, me.user_id, submitted)

        async def send() -> None:
            await saved(district_id, (await rt.districts.send(district_id, command)).version)

        key = forms.form_key(action, {k: v for k, v in submitted.items() if isinstance(v, str)})
        return await sent_or_again(request, command, errors, values, send, partial(journey, request, me, district_id),
                                   f"{key}-form", forms.BY_ACTION[action].done, f"/districts/{district_id}")

    return router


def journey_context(s, actor: str, today, schools_started: dict, errors: dict, values: dict) -> dict:
    """What the journey page shows ``actor``: the phases, the open gate's checklist, the forms the domain lets them
    use in this phase, the escalations that reached them. Pure, so every phase's page is tested without a workflow."""
    this_phase = [f for f in forms.FORMS if f.phase is s.phase or (f.command is c.CompletePhase and s.phase is not PHASES[-1])]
    options = choices(s, today, actor)
    # a form is offered to whom the domain lets send it, while it has something to choose (a school left to align)
    offered = [f for f in this_phase if may_send(s, actor, f.command) and all(options[i.choices] for i in f.inputs if i.choices)]
    escalations = [e for e in (s.escalation, s.calendar_end) if e is not None and actor in e.reached]
    placed = {f.action for f in offered} | {forms.form_key(a, {"escalation_id": e.id})
                                            for a in forms.ESCALATION_ACTIONS for e in escalations if not e.hold}
    return dict(s=s, phases=PHASES, overdue=s.calendar.school_days_between(s.due_on, today) if s.due_on else 0,
                checklist=gate_checklist(s.phase, s) if s.phase else [],
                anchors={f.command: f.action for f in offered}, offered=offered, read_only=not offered,
                admin=actor in s.district.admins, escalations=escalations,
                esc_forms=[forms.BY_ACTION[a] for a in forms.ESCALATION_ACTIONS], choices=options,
                schools_started=schools_started, errors=errors, values=values,
                # a refusal of a form this page does not offer (posted from elsewhere) is shown at the top
                unplaced=[m for k, msgs in errors.items() if k.endswith("-form") and k[:-5] not in placed for m in msgs])


def choices(s, today, actor: str) -> dict[str, list[tuple[str, str]]]:
    """What a form's choice list offers: terms not over yet; a school where it still counts (not aligned yet, and
    a principal who is no admin aligns only their own school; launched schoolwide and not reviewed this school year)."""
    reviewed = set(s.reviews.get(s.school_year, ()))
    own = {x.school_id for x in s.district.schools if actor in s.district.admins or x.principal == actor}
    schools = {x.school_id: f"{x.name} ({x.school_id})" for x in s.district.schools}
    return {**forms.CHOICES, "terms": [(t.name, t.name) for t in terms(s.calendar) if t.end >= today],
            "unaligned": [(i, name) for i, name in schools.items() if i in own and i not in s.aligned_schools],
            "unreviewed": [(i, name) for i, name in schools.items() if i in s.schoolwide_schools and i not in reviewed]}


def under(problem: str, section: str) -> bool:
    """A problem in that section of the file: ``rubric: …``, ``rubric.levels: …``, ``rubric[0]…``."""
    return problem.startswith(section) and problem[len(section):len(section) + 1] in (".", ":", "[")


async def my_rollout_work(rt, me: Principal, oversight) -> dict | None:
    """My work's part for a district admin or coalition member (issue 11, "the phase gaps that are mine"): their
    district's journey, and the open gate's gaps whose command the domain lets them send. ``oversight``: their
    standing (``web.oversight.oversight_of``), so the district's workflow is asked for them only, never for every
    teacher's page."""
    if oversight is None or oversight.role not in ("district admin", "coalition member"):
        return None
    try:
        s = (await rt.districts.status(me.district_id)).state
    except UnknownTeam:
        return None
    except RPCError:  # Temporal away: the rest of My work is read models and still answers
        return {"district_id": me.district_id, "unavailable": True}
    if me.user_id not in s.district.admins and me.user_id not in s.coalition:
        return None
    gaps = [i.what for i in gate_checklist(s.phase, s) if not i.done and i.closed_by and may_send(s, me.user_id, i.closed_by)]
    return {"district_id": me.district_id, "name": s.district.name, "phase": s.phase.label, "due_on": s.due_on, "gaps": gaps}


def read_uploads(uploads) -> tuple[list[str], object, set[str]]:
    """The district file's content with its calendar and rubric in place, and what is wrong with the uploads.

    A district file on disk names its calendar and rubric by a path relative to itself (``rubric:
    rubric.yaml``); a browser sends no neighbouring files, so the page takes them as two more uploads.
    A section written inline in the district file is used as it is (an upload for it is not needed).
    Returns the problems, the content (None if there is none to check) and the sections it names but lacks.
    """
    files = {name: uploads.get(f"{name}_file") for name in ("district", *SECTIONS)}
    texts, problems = {}, []
    for name, f in files.items():
        body = f.file.read(UPLOAD_LIMIT + 1) if isinstance(f, UploadFile) and f.filename else b""
        if len(body) > UPLOAD_LIMIT:
            problems.append(f"{name} file: larger than {UPLOAD_LIMIT // (1024 * 1024)} MB")
        elif body:
            texts[name] = body
    if "district" not in texts:
        return problems + ["district file: choose the district file (YAML) to upload"], None, set()
    parsed = {}
    for name, body in texts.items():
        try:
            parsed[name] = yaml.safe_load(body.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as err:
            problems.append(f"{name} file: not valid YAML ({err})")
    data, unresolved = parsed.get("district"), set()
    if "district" not in parsed:
        return problems, None, unresolved
    if isinstance(data, dict):
        for name in SECTIONS:
            if isinstance(data.get(name), str):
                if name in parsed:
                    data = {**data, name: parsed[name]}
                else:
                    unresolved.add(name)
                    if name not in texts:
                        problems.append(f"{name}: the district file names {data[name]!r}; upload that file as the "
                                        f"{name} file, or write the {name} inline in the district file")
    return problems, data, unresolved
