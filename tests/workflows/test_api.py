"""The HTTP API on a running worker (time-skipping server, real PostgreSQL): every role against
every team command, reads scoped by token, and problem+json errors that write nothing."""

import asyncio
from datetime import time, timedelta

import httpx
import pytest

from activities.projector import Projector
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from api.app import create_app
from api.runtime import Runtime
from app.districts import DistrictClient
from domain.school.terms import terms
from domain.steps import Step
from tests.support.builders import EVIDENCE
from tests.support.harness import settled

ROLES = {  # role -> (user id, token kind, district, schools)
    "member": ("t.nelson", "user", "silver-valley", ()),
    "facilitator": ("a.kennedy", "user", "silver-valley", ()),
    "principal": ("p.rivera", "user", "silver-valley", ()),
    "coalition": ("c.hill", "user", "silver-valley", ()),
    "outsider": ("t.nelson", "user", "another-district", ()),
    "supervisor": ("s.visor", "supervisor", "silver-valley", ()),
}
FOCUS = EVIDENCE[Step.IDENTIFY_FOCUS].model_dump(mode="json")
# action -> (request body, roles allowed, what the team needs first)
MATRIX = {
    "advance": ({"step": "identify_focus", "evidence": FOCUS}, {"member", "facilitator"}, None),
    "revisit": ({"step": "identify_focus", "reason": "Data was thin"}, {"member", "facilitator"}, "advanced"),
    "decide": ({"kind": "lateral", "summary": "Tuesdays"}, {"member", "facilitator"}, None),
    "approve": ({"recommendation_id": "c1-1", "reason": "Staffing allows"}, {"principal"}, "recommended"),
    "reject": ({"recommendation_id": "c1-1", "reason": "No room"}, {"principal"}, "recommended"),
    "pause": ({"reason": "Testing window"}, {"facilitator", "principal"}, None),
    "resume": ({"reason": "Testing done"}, {"facilitator", "principal"}, "paused"),
    "acknowledge": ({"escalation_id": "{esc}", "reason": "Seen it"}, {"member"}, "escalated"),
    "snooze": ({"escalation_id": "{esc}", "until": "{later}", "reason": "Data Friday"}, {"member"}, "escalated"),
}


@pytest.fixture
async def api(harness):
    rt = Runtime(harness.teams, DistrictClient(harness.env.client, harness.teams._task_queue),
                 ReadModels(harness.store.pool), TokenStore(harness.store.pool))
    tokens = {role: await rt.tokens.create(user, kind, district, schools) for role, (user, kind, district, schools) in ROLES.items()}
    transport = httpx.ASGITransport(app=create_app(rt))
    async with httpx.AsyncClient(transport=transport, base_url="http://plcflow") as client:
        yield client, tokens


async def prepared(h, need: str | None) -> tuple[str, dict]:
    from domain.team import commands as cmd

    layout = await h.layout()
    team = await h.start(layout)
    fill = {}
    if need == "advanced":
        await h.advance(team, Step.IDENTIFY_FOCUS)
        await h.advance(team, Step.POSE_QUESTION)
    elif need == "recommended":
        await h.send(team, cmd.RecordDecision(actor="t.nelson", kind="recommendation", summary="Restructure classes"))
    elif need == "paused":
        await h.send(team, cmd.PauseTeam(actor="a.kennedy", reason="Testing window"))
    elif need == "escalated":
        due = (await h.status(team)).state.due_on
        await h.sleep_until(layout, layout.calendar.add_school_days(due, 1), time(12))
        fill = {"esc": (await h.status(team)).state.escalation.id,
                "later": layout.calendar.add_school_days(due, 4).isoformat()}
    return team, fill


@pytest.mark.parametrize("action", list(MATRIX))
async def test_every_role_against_every_team_command(harness, api, action):
    client, tokens = api
    body, allowed, need = MATRIX[action]
    for role in ROLES:
        team, fill = await prepared(harness, need)
        await harness.assert_log_matches(team)
        version = (await harness.status(team)).state.version
        filled = {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in body.items()}
        r = await client.post(f"/v1/teams/{team}/{action}", json=filled, headers={"Authorization": f"Bearer {tokens[role]}"})
        if role in allowed:
            assert r.status_code == 200, (role, r.text)
        else:
            assert r.status_code == 403, (role, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert (await harness.status(team)).state.version == version  # nothing written
            await harness.assert_log_matches(team)


async def test_reads_are_scoped_by_token(harness, api):
    client, tokens = api
    team, _ = await prepared(harness, None)
    await harness.assert_log_matches(team)
    await Projector(harness.store.pool).catch_up()
    for role in ROLES:
        r = await client.get(f"/v1/teams/{team}", headers={"Authorization": f"Bearer {tokens[role]}"})
        assert r.status_code == (403 if role == "outsider" else 200), (role, r.text)
    school_scoped = await TokenStore(harness.store.pool).create("s.other", "supervisor", "silver-valley", ("another-school",))
    r = await client.get(f"/v1/teams/{team}", headers={"Authorization": f"Bearer {school_scoped}"})
    assert r.status_code == 403
    r = await client.get(f"/v1/teams/{team}?live=true", headers={"Authorization": f"Bearer {tokens['supervisor']}"})
    assert r.status_code == 200 and r.json()["step"] == "identify_focus"
    stalled = await client.get("/v1/districts/silver-valley/stalled", headers={"Authorization": f"Bearer {tokens['supervisor']}"})
    assert stalled.status_code == 200 and isinstance(stalled.json(), list)


async def test_bad_requests_get_problems_and_write_nothing(harness, api):
    client, tokens = api
    team, _ = await prepared(harness, None)
    await harness.assert_log_matches(team)
    version = (await harness.status(team)).state.version
    member = {"Authorization": f"Bearer {tokens['member']}"}
    no_token = await client.post(f"/v1/teams/{team}/decide", json={"kind": "lateral", "summary": "x"})
    assert no_token.status_code == 401 and no_token.headers["content-type"] == "application/problem+json"
    malformed = await client.post(f"/v1/teams/{team}/decide", json={"kind": "sideways", "summary": "x", "student": "Ana"}, headers=member)
    assert malformed.status_code == 422 and malformed.json()["title"] == "Invalid input"
    refused = await client.post(f"/v1/teams/{team}/advance", json={"step": "analyze"}, headers=member)
    assert refused.status_code == 409 and "is at identify focus, not analyze" in refused.json()["detail"]
    unknown = await client.post("/v1/teams/no-such-team/decide", json={"kind": "lateral", "summary": "x"}, headers=member)
    assert unknown.status_code == 404
    assert (await harness.status(team)).state.version == version
    assert (await client.get("/docs")).status_code == 200


DISTRICT_ROLES = {  # role -> (user, token kind, in the district?)
    "district_admin": ("k.admin", "user", True),
    "principal": ("middle.principal", "user", True),  # also on the guiding coalition
    "teacher": ("middle.teacher1", "user", True),
    "supervisor": ("s.visor", "supervisor", True),
    "outsider": ("k.admin", "user", False),
}


async def test_every_role_against_the_district_endpoints(harness):
    from pathlib import Path
    from uuid import uuid4

    from app.files import load_district_file
    from tests.support.calendars import years_around
    from tests.support.districts import suffixed

    sfx = uuid4().hex[:6]
    example = load_district_file(Path(__file__).resolve().parents[2] / "examples" / "districts" / "justice-county.yaml")
    start = suffixed(example, sfx, years_around((await harness.now()).date()).calendar)
    did, schools = start.district.district_id, [s.school_id for s in start.district.schools]
    middle = f"jc-middle-{sfx}"
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    rt = Runtime(harness.teams, districts, ReadModels(harness.store.pool), TokenStore(harness.store.pool))
    tokens = {r: await rt.tokens.create(u, k, did if inside else "another-district") for r, (u, k, inside) in DISTRICT_ROLES.items()}
    file = {"registered_by": "k.admin", "district": start.district.model_dump(mode="json"),
            "calendar": start.calendar.model_dump(mode="json"), "rubric": start.rubric.model_dump(mode="json")}
    members = {"members": ["k.admin", "elementary.principal", "middle.principal", "high.principal", "r.curriculum",
                           "s.services", "middle.leader1"]}
    admin, coalition = {"district_admin"}, {"district_admin", "principal"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        def auth(role):
            return {"Authorization": f"Bearer {tokens[role]}"}

        async def walk(action, body, allowed):
            """Forbidden roles first; among the allowed, the first succeeds and a repeat may be refused (409)."""
            done = False
            for role in sorted(DISTRICT_ROLES, key=lambda r: r in allowed):
                r = await client.post(f"/v1/districts/{did}/{action}", json=body, headers=auth(role))
                expected = {403} if role not in allowed else ({200, 409} if done else {200})
                assert r.status_code in expected, (action, role, r.text)
                done = done or r.status_code == 200

        for role in ("principal", "supervisor", "outsider"):
            r = await client.post("/v1/districts", json=file, headers=auth(role))
            assert r.status_code == 403, (role, r.text)
        started = await client.post("/v1/districts", json=file, headers=auth("district_admin"))
        assert started.status_code == 201, started.text
        today = (await harness.now()).date()
        first_term, second_term = (t.name for t in terms(start.calendar)[:2])
        for action, body, allowed in [  # the rollout, phase by phase
            ("seat_coalition", members, admin), ("complete_phase", {"phase": "form_coalition"}, admin),
            ("record_inquiry_activity", {"kind": "book_study", "title": "Learning by Doing", "held_on": today.isoformat()}, coalition),
            ("adopt_glossary", {"terms": {"PLC": "professional learning community"}}, coalition),
            ("set_non_negotiables", {"items": ["Every teacher is on a team"]}, admin),
            ("align_mission", {"school_id": middle}, {"district_admin", "principal"}),
            *(("align_mission", {"school_id": s}, admin) for s in schools if s != middle),
            ("complete_phase", {"phase": "build_shared_knowledge"}, admin),
            ("add_learning_session", {"term": first_term, "topic": "Realistic goals", "held_on": today.isoformat()}, coalition),
            ("add_learning_session", {"term": second_term, "topic": "Learning targets", "held_on": today.isoformat()}, coalition),
            ("complete_phase", {"phase": "plan_learning"}, admin),
            ("record_district_norms", {"norms": ["Start on time"], "violation_process": "Name it"}, admin),
            ("complete_phase", {"phase": "model_the_work"}, admin),
        ]:
            await walk(action, body, allowed)
        free_text = await client.post(f"/v1/districts/{did}/add_learning_session", headers=auth("district_admin"),
                                      json={"term": "fall", "topic": "Goals", "held_on": today.isoformat()})
        assert free_text.status_code == 409 and "'fall' is not a term of" in free_text.json()["detail"]  # issue 8 #7
        refused = await client.post(f"/v1/districts/{did}/complete_phase", json={"phase": "plan_learning"}, headers=auth("district_admin"))
        assert refused.status_code == 409 and "not plan learning" in refused.json()["detail"]
        gate = await client.post(f"/v1/districts/{did}/complete_phase", json={"phase": "launch_waves"}, headers=auth("district_admin"))
        assert gate.status_code == 409 and "launched schoolwide" in gate.json()["detail"]

        # an overdue phase: whom the ladder reached may hold it, nobody else
        cal = start.calendar
        due = (await districts.status(did)).state.due_on
        for days, action, extra, allowed in [
            (1, "acknowledge", {}, admin),  # reached the district admin
            (6, "snooze", {"until": cal.add_school_days(due, 9).isoformat()}, coalition),  # then the coalition
        ]:
            await harness.env.sleep(cal.at_local(cal.add_school_days(due, days), time(12)) - await harness.now())
            esc = (await districts.status(did)).state.escalation
            await walk(action, {"escalation_id": esc.id, "reason": "We see it", **extra}, allowed)

        # launch every school, then sustain: the yearly review of a school
        launch = (await harness.now()).date() + timedelta(days=1)
        await walk("schedule_wave", {"kind": "pilot", "launch_on": launch.isoformat(), "school_ids": [middle],
                                     "pilot_team_ids": [f"jc-middle-math-{sfx}"]}, admin)
        await walk("schedule_wave", {"kind": "schoolwide", "launch_on": launch.isoformat(), "school_ids": schools}, admin)
        await harness.env.sleep(cal.at_local(launch + timedelta(days=1), time(12)) - await harness.now())
        await walk("complete_phase", {"phase": "launch_waves"}, admin)
        await walk("review_school", {"school_id": middle, "celebration": "A year of inquiry"}, coalition)

        await settled(lambda: districts.status(did))
        await Projector(harness.store.pool).catch_up()
        for path in (f"/v1/districts/{did}/summary", f"/v1/districts/{did}/stalled"):
            for role in DISTRICT_ROLES:
                r = await client.get(path, headers=auth(role))
                assert r.status_code == (403 if role == "outsider" else 200), (path, role, r.text)
    await districts.district(did).terminate("test finished")
    for s in start.district.schools:
        await districts.school(s.school_id).terminate("test finished")
        harness.started += [t.team_id for t in s.teams]


SCHOOL_ROLES = {
    "teacher": ("high.teacher1", "user", "justice-county"),
    "supervisor": ("s.visor", "supervisor", "justice-county"),
    "outsider": ("high.principal", "user", "another-district"),
    "facilitator": ("high.leader1", "user", "justice-county"),
    "principal": ("high.principal", "user", "justice-county"),
}


async def test_every_role_against_the_school_endpoints(harness):
    from pathlib import Path
    from uuid import uuid4

    from app.files import load_district_file
    from domain.school import commands as m
    from tests.support.calendars import years_around
    from workflows.contracts import SCHOOL_WORKFLOW, school_workflow_id
    from workflows.school_adoption import SchoolWorkflowInput

    suffix = uuid4().hex[:6]
    start = load_district_file(Path(__file__).resolve().parents[2] / "examples" / "districts" / "justice-county.yaml")
    spec = start.district.school("jc-high")
    spec = spec.model_copy(update={"school_id": f"jc-high-{suffix}",
                                   "teams": tuple(t.model_copy(update={"team_id": f"{t.team_id}-{suffix}"}) for t in spec.teams)})
    opening = m.OpenSchool(actor="k.admin", district_id="justice-county", school=spec,
                           calendar=years_around((await harness.now()).date()).calendar, rubric=start.rubric, coalition=("k.admin",))
    await harness.env.client.start_workflow(SCHOOL_WORKFLOW, SchoolWorkflowInput(opening=opening),
                                            id=school_workflow_id(spec.school_id), task_queue=harness.teams._task_queue)
    districts = DistrictClient(harness.env.client, harness.teams._task_queue)
    rt = Runtime(harness.teams, districts, ReadModels(harness.store.pool), TokenStore(harness.store.pool))
    tokens = {r: await rt.tokens.create(u, k, d) for r, (u, k, d) in SCHOOL_ROLES.items()}
    team = spec.teams[0].team_id
    ratings = {d.id: "Developing" for d in start.rubric.dimensions}
    cases = [  # (action, body, allowed), forbidden roles first so an allowed success changes nothing before them
        ("record_norms", {"team_id": team, "procedural": ["Be on time"], "conversational": ["Ask why"]}, {"facilitator", "principal"}),
        ("review_norms", {"team_id": team, "note": "Still fit"}, {"facilitator", "principal"}),
        ("self_assess", {"ratings": ratings}, {"principal"}),
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://plcflow") as client:
        for action, body, allowed in cases:
            for role in SCHOOL_ROLES:
                r = await client.post(f"/v1/schools/{spec.school_id}/{action}", json=body,
                                      headers={"Authorization": f"Bearer {tokens[role]}"})
                assert r.status_code == (200 if role in allowed else 403), (action, role, r.text)
        # the other team's norms review is overdue (its term began weeks ago): its facilitator, then the
        # principal, may hold the escalation; nobody else
        cal = opening.calendar
        subject = f"norms:{spec.teams[1].team_id}"

        async def escalation():
            for _ in range(100):
                found = (await districts.school_status(spec.school_id)).state.escalations.get(subject)
                if found:
                    return found
                await asyncio.sleep(0.05)
            raise AssertionError("the overdue norms review never escalated")

        # It escalates at the first school day's notify time: if today is a weekend, let the clock reach Monday.
        now = await harness.now()
        next_day = cal.next_school_day_on_or_after(cal.local_date(now))
        if cal.at_local(next_day, time(8)) > now:
            await harness.env.sleep(cal.at_local(next_day, time(8)) - now)

        first = await escalation()
        for action, extra, allowed in [
            ("acknowledge", {}, set()),  # it reached only high.leader2, who holds no token here
            ("snooze", {"until": cal.add_school_days(first.raised_on, 8).isoformat()}, {"principal"}),
        ]:
            if action == "snooze":  # the principal rung comes four school days after the facilitator's
                await harness.env.sleep(cal.at_local(cal.add_school_days(first.raised_on, 4), time(12)) - await harness.now())
            esc = await escalation()
            body = {"escalation_id": esc.id, "reason": "We see it", **extra}
            for role in sorted(SCHOOL_ROLES, key=lambda r: r in allowed):
                r = await client.post(f"/v1/schools/{spec.school_id}/{action}", json=body,
                                      headers={"Authorization": f"Bearer {tokens[role]}"})
                assert r.status_code == (200 if role in allowed else 403), (action, role, r.text)
        await settled(lambda: districts.school_status(spec.school_id))  # the log first, then the read models
        await Projector(harness.store.pool).catch_up()
        for role in SCHOOL_ROLES:
            r = await client.get(f"/v1/schools/{spec.school_id}/summary", headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code == (403 if role == "outsider" else 200), (role, r.text)
        assert r.json()["rubric_levels"][0]["level"] == "Developing"
    await districts.school(spec.school_id).terminate("test finished")
    harness.started += [t.team_id for t in spec.teams]


async def test_a_blank_reason_is_422_and_writes_nothing(harness, api):
    # Issue 8, defect 9: a reason made only of spaces was accepted and stored.
    client, tokens = api
    team, _ = await prepared(harness, None)
    await harness.assert_log_matches(team)
    version = (await harness.status(team)).state.version
    facilitator = {"Authorization": f"Bearer {tokens['facilitator']}"}
    blank = await client.post(f"/v1/teams/{team}/pause", json={"reason": "    "}, headers=facilitator)
    assert blank.status_code == 422 and blank.headers["content-type"] == "application/problem+json"
    assert blank.json()["errors"] == ["reason: must not be blank"]
    state = (await harness.status(team)).state
    assert state.version == version and not state.paused
    await harness.assert_log_matches(team)
