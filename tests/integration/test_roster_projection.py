"""People change in the read models (issue 9): an escalation handed to the current holders shows whom it
reaches now; a coalition that stopped being representative is an open district escalation until reseated."""

from datetime import date
from uuid import uuid4

from activities.projector import Projector
from domain.rollout import commands as rc
from domain.rollout.phases import Phase
from domain.team import commands as cmd
from tests.support.builders import local, register
from tests.support.gwt import ROLLOUT, given
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import START
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


async def test_a_reassigned_escalation_shows_whom_it_reaches_now(event_store):
    team_id = f"team-{uuid4().hex[:8]}"
    team = given((register(team_id), local(MON)), (cmd.StartCycle(actor="a.kennedy"), local(MON)))
    for day in (date(2026, 9, 22), date(2026, 9, 24)):
        team.run(cmd.RaiseDueEscalations(), local(day))
    team.run(cmd.ChangeFacilitator(actor="p.rivera", facilitator="m.garcia"), local(date(2026, 9, 24), 10))
    await event_store.append(f"team-{team_id}", to_rows(1, team.log))
    await Projector(event_store.pool).catch_up()
    reached = await event_store.pool.fetchval("SELECT reached FROM open_escalations WHERE escalation_id = $1",
                                              team.state.escalation.id)
    assert reached == list(team.state.escalation.reached) and "m.garcia" in reached and "a.kennedy" not in reached


async def test_a_coalition_gap_is_an_open_district_escalation_until_the_seat_is_filled(event_store):
    district = START.district.model_copy(update={"district_id": f"d-{uuid4().hex[:8]}"})
    rollout = ROLLOUT.given_commands(
        (START.model_copy(update={"district": district}), local(MON)),
        (rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), local(MON)),
        (rc.CompletePhase(actor="sv.admin", phase=Phase.FORM_COALITION), local(MON)),
        (rc.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), local(MON)),
    )
    stream, projector = f"district-{district.district_id}", Projector(event_store.pool)
    await event_store.append(stream, to_rows(1, rollout.log))
    await projector.catch_up()
    row = await event_store.pool.fetchrow(
        "SELECT * FROM open_escalations WHERE district_id = $1 AND subject = 'coalition'", district.district_id)
    assert row["level"] == "district_admin" and row["reached"] == ["sv.admin"] and "union leadership" in row["reason"]

    first = len(rollout.log) + 1
    reseated = rollout.run(rc.SeatCoalitionMember(actor="sv.admin", member="sv.union"), local(MON))
    await event_store.append(stream, to_rows(first, reseated))
    await projector.catch_up()
    assert await event_store.pool.fetchval(
        "SELECT count(*) FROM open_escalations WHERE district_id = $1 AND subject = 'coalition'", district.district_id) == 0
