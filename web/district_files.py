"""The district admin's roster import and calendar publish screens, each a dry run first and then Apply (issue 11,
"District admin": "the roster import and calendar publish screens with their dry runs"; issue 9 for what they do).

The same functions as ``plcflow roster import`` and ``plcflow calendar publish`` compute what the page shows
(``app.oneroster.read_roster``, ``domain.roster.diff``, ``app.roster_import``; ``app.calendar_files``,
``app.calendar_preview``), so the page and the CLI never disagree. Only a district admin of the district opens them.

Between the dry run and Apply the page keeps no upload on the server and sends no file back to the browser: the
dry run's form carries what was *read* — the staff records (the reader has already dropped every student, parent
and guardian row, so nothing of a student ever reaches a page) or the parsed calendar — signed with the session
secret, together with a digest of the changes shown. Apply checks the signature, computes the changes again on the
district as it is then, and sends them only if they are still exactly what was shown; otherwise it shows the new
dry run and writes nothing. No temporary file outlives its request, and no second upload can differ from the first.
"""

import hashlib
import json
import re
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import UploadFile

from activities.tokens import Principal
from app.calendar_files import IcsMapping, KINDS, load_published
from app.calendar_preview import preview, queried_states
from app.oneroster import Roster, RosterFileError, read_roster
from app.roster_import import diff_view, judge
from app.teams import CommandRefused, UnknownTeam
from domain.calendar import parse_calendar
from domain.district import Role
from domain.errors import DomainError, InvalidConfiguration
from domain.rollout import commands as c
from domain.roster import StaffRecord, diff, sync_commands

from . import session
from .render import page

ROSTER_LIMIT = 50 * 1024 * 1024  # a zipped bulk export of a large district (students included) is a few MB
CALENDAR_LIMIT = 2 * 1024 * 1024  # a district's .ics of several years is tens of kB
NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def digest(changes) -> str:
    """What a dry run showed, as one value: Apply sends only if the changes computed then are these."""
    return hashlib.sha256(json.dumps(changes, sort_keys=True, default=str).encode()).hexdigest()


def district_files_router(rt, who, secret: str) -> APIRouter:
    """``who``: the signed-in person (``session.person``); ``secret``: the session secret, which signs what a dry run carries."""
    router = APIRouter(include_in_schema=False)
    signer = URLSafeSerializer(secret, salt="plcflow district files")

    async def admin_of(me: Principal, district_id: str):
        if district_id != me.district_id:
            raise session.PageRefused(403, "Not your district", f"You are signed in to {me.district_id}, not {district_id}.")
        try:
            status = await rt.districts.status(district_id)
        except UnknownTeam:
            raise session.PageRefused(404, "No rollout yet", f"District {district_id} has not started its rollout.") from None
        if me.user_id not in status.state.district.admins:
            raise session.PageRefused(403, "District admins only",
                                      f"Only a district admin of {status.state.district.name} imports its roster and "
                                      f"publishes its calendar; {me.user_id} is not one. Nothing was read or written.")
        return status.state

    def carried(form, district_id: str, kind: str) -> dict:
        try:
            data = signer.loads(str(form.get("carried", "")))
        except BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("district") != district_id or data.get("kind") != kind:
            raise session.PageRefused(422, "Check the file again",
                                      "This Apply does not come from a dry run of this page, so nothing was written. "
                                      "Upload the file again and check it.")
        return data

    # --- the roster ---

    def roster_page(request: Request, state, status: int = 200, **context):
        return page(request, "district_roster.html", status, s=state, done=request.session.pop("done", None), **context)

    def roster_dry_run(request: Request, me: Principal, state, roster: Roster, source: str, status: int = 200, **context):
        changes = diff(state.district, roster.staff)
        view = diff_view(roster, changes)
        commands = sync_commands(changes, me.user_id, source)
        refused = None
        try:
            judge(state, commands)
        except DomainError as err:
            refused = err.reason
        keep = {"kind": "roster", "district": state.district.district_id, "source": source, "digest": digest(view),
                "staff": [staff_json(r) for r in roster.staff], "not_staff": roster.not_staff_rows,
                "unmapped": roster.unmapped_staff, "unknown": list(roster.unknown_orgs)}
        return roster_page(request, state, 409 if refused else status, view=view, refused=refused,
                           carried=signer.dumps(keep) if commands and not refused else None, **context)

    @router.get("/districts/{district_id}/roster")
    async def roster_form(request: Request, district_id: str, me: Principal = Depends(who)):
        return roster_page(request, await admin_of(me, district_id))

    @router.post("/districts/{district_id}/roster/check", dependencies=[Depends(session.check_csrf)])
    async def roster_check(request: Request, district_id: str, me: Principal = Depends(who)):
        state = await admin_of(me, district_id)
        f = (await request.form()).get("export")
        body = await uploaded(f, ROSTER_LIMIT)
        if isinstance(body, str):
            return roster_page(request, state, 422, problems=[body])
        with tempfile.TemporaryDirectory(prefix="plcflow-roster-") as tmp:
            path = Path(tmp) / "export.zip"  # read_roster reads the zip's members in memory: nothing is unpacked to disk
            path.write_bytes(body)
            try:
                roster = read_roster(path, state.district)
            except (RosterFileError, UnicodeDecodeError) as err:
                problem = str(err).replace(str(path), safe_name(f.filename))
                if isinstance(err, UnicodeDecodeError):
                    problem = f"{safe_name(f.filename)}: a file in it is not UTF-8 text ({err.reason})"
                return roster_page(request, state, 422, problems=[problem])
        return roster_dry_run(request, me, state, roster, f"the OneRoster export {safe_name(f.filename)}")

    @router.post("/districts/{district_id}/roster/apply", dependencies=[Depends(session.check_csrf)])
    async def roster_apply(request: Request, district_id: str, me: Principal = Depends(who)):
        state = await admin_of(me, district_id)
        kept = carried(await request.form(), district_id, "roster")
        roster = Roster(tuple(staff_record(r) for r in kept["staff"]), kept["not_staff"], kept["unmapped"], tuple(kept["unknown"]))
        changes = diff(state.district, roster.staff)
        if digest(diff_view(roster, changes)) != kept["digest"]:
            return roster_dry_run(request, me, state, roster, kept["source"], 409, stale=True)
        commands = sync_commands(changes, me.user_id, kept["source"])
        try:
            judge(state, commands)  # refused as a whole before the first part is sent: the dry run, with the refusal
        except DomainError:
            return roster_dry_run(request, me, state, roster, kept["source"], 409)
        try:
            for command in commands:
                await rt.districts.send(district_id, command)
        except CommandRefused as refused:
            return roster_page(request, state, 409, refused=refused.reason)
        counts = ", ".join(f"{n} {what}" for what, n in changes.counts().items())
        request.session["done"] = f"Imported: {counts}." if commands else "Nothing to change: the district's people already match the export."
        return RedirectResponse(f"/districts/{district_id}/roster", status_code=303)

    # --- the calendar ---

    def calendar_page(request: Request, state, status: int = 200, **context):
        return page(request, "district_calendar.html", status, s=state, kinds=KINDS,
                    done=request.session.pop("done", None), **context)

    async def calendar_dry_run(request: Request, me: Principal, district_id: str, calendar, left_out: list[str],
                               status: int = 200, **context):
        district, schools, teams = await queried_states(rt, district_id)
        command = c.PublishCalendar(actor=me.user_id, calendar=calendar)
        try:
            p = preview(district, schools, teams, command, datetime.now(UTC))
        except DomainError as err:
            return calendar_page(request, district, 409, refused=err.reason, left_out=left_out, **context)
        shown = {"days": asdict(p.days), "moves": [asdict(m) for m in p.moves]}
        keep = {"kind": "calendar", "district": district_id, "calendar": calendar.model_dump(mode="json"),
                "left_out": left_out, "digest": digest(shown)}
        return calendar_page(request, district, status, preview=p, left_out=left_out, carried=signer.dumps(keep), **context)

    @router.get("/districts/{district_id}/calendar")
    async def calendar_form(request: Request, district_id: str, me: Principal = Depends(who)):
        return calendar_page(request, await admin_of(me, district_id))

    @router.post("/districts/{district_id}/calendar/check", dependencies=[Depends(session.check_csrf)])
    async def calendar_check(request: Request, district_id: str, me: Principal = Depends(who)):
        state = await admin_of(me, district_id)
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in KINDS}
        names = IcsMapping(**{k: tuple(n.strip() for n in values[k].splitlines() if n.strip()) for k in KINDS})
        f = form.get("calendar_file")
        body = await uploaded(f, CALENDAR_LIMIT)
        if isinstance(body, str):
            return calendar_page(request, state, 422, problems=[body], values=values)
        name = safe_name(f.filename)
        ics = name.lower().endswith(".ics")
        if ics and not (names.closed or names.school_day or names.first_day):
            return calendar_page(request, state, 422, values=values, problems=[
                "event names: an .ics file names its days only by their event names; say which names mean what "
                "(closed, a school day, the first day, the last day) in the fields below"])
        with tempfile.TemporaryDirectory(prefix="plcflow-calendar-") as tmp:
            path = Path(tmp) / (name if ics or name.lower().endswith((".yaml", ".yml")) else f"{name}.yaml")
            path.write_bytes(body)
            try:
                published = load_published(path, state.calendar, names)
            except InvalidConfiguration as err:
                return calendar_page(request, state, 422, values=values,
                                     problems=[p.replace(f"{tmp}/", "") for p in err.problems])
            except UnicodeDecodeError as err:
                return calendar_page(request, state, 422, values=values, problems=[f"{name}: not UTF-8 text ({err.reason})"])
        return await calendar_dry_run(request, me, district_id, published.calendar, published.left_out, values=values)

    @router.post("/districts/{district_id}/calendar/apply", dependencies=[Depends(session.check_csrf)])
    async def calendar_apply(request: Request, district_id: str, me: Principal = Depends(who)):
        await admin_of(me, district_id)
        kept = carried(await request.form(), district_id, "calendar")
        calendar = parse_calendar(kept["calendar"])
        district, schools, teams = await queried_states(rt, district_id)
        command = c.PublishCalendar(actor=me.user_id, calendar=calendar)
        try:
            p = preview(district, schools, teams, command, datetime.now(UTC))
        except DomainError:
            p = None
        if p is None or digest({"days": asdict(p.days), "moves": [asdict(m) for m in p.moves]}) != kept["digest"]:
            return await calendar_dry_run(request, me, district_id, calendar, kept["left_out"], 409, stale=True)
        try:
            result = await rt.districts.send(district_id, command)
        except CommandRefused as refused:
            return calendar_page(request, district, 409, refused=refused.reason)
        request.session["done"] = (f"Published (version {result.version}): {len(p.days.gained)} school day(s) gained, "
                                   f"{len(p.days.lost)} lost, {len(p.moves)} date(s) moved. The district tells its schools, "
                                   "which tell their teams.")
        return RedirectResponse(f"/districts/{district_id}/calendar", status_code=303)

    return router


async def uploaded(f, limit: int) -> bytes | str:
    """The upload's bytes, or what is wrong with it (no file, an empty one, too large)."""
    if not isinstance(f, UploadFile) or not f.filename:
        return "file: choose the file to upload"
    body = await f.read(limit + 1)
    if len(body) > limit:
        return f"{safe_name(f.filename)}: larger than {limit // 2**20} MB"
    return body or f"{safe_name(f.filename)}: the file is empty"


def safe_name(filename: str) -> str:
    """The upload's own name, without any folder and with only plain characters: it names the temporary file."""
    return NOT_IN_NAME.sub("-", Path(filename.replace("\\", "/")).name).lstrip(".-")[:80] or "upload"


def staff_json(r: StaffRecord) -> dict:
    return {"sourced_id": r.sourced_id, "email": r.email, "username": r.username,
            "roles": sorted(role.value for role in r.roles), "school_id": r.school_id}


def staff_record(d: dict) -> StaffRecord:
    return StaffRecord(d["sourced_id"], d["email"], d["username"], frozenset(Role(x) for x in d["roles"]), d["school_id"])
