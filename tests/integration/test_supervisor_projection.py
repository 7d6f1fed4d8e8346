"""A supervisor's schools in the read models (issue 11, migration 0020): ``person_roles.supervises`` follows
the district file, a change of roles and a person leaving, and a signed-in person's standing reads from it."""

from datetime import date
from uuid import uuid4

from activities.projector import Projector
from activities.read_models import ReadModels
from domain.district import Person, Role
from domain.rollout import commands as rc
from tests.support.builders import local
from tests.support.gwt import ROLLOUT
from tests.unit.test_rollout_rules import SV_COALITION
from tests.unit.test_school_rules import START
from workflows.persistence import to_rows

MON = date(2026, 9, 14)


async def test_a_supervisor_s_schools_follow_the_district_s_people(event_store):
    supervisor = Person(id="sv.super", roles=(Role.SUPERVISOR,), supervises=("silver-valley-ms",))
    district = START.district.model_copy(update={"district_id": f"d-{uuid4().hex[:8]}",
                                                 "people": (*START.district.people, supervisor)})
    rollout = ROLLOUT.given_commands((START.model_copy(update={"district": district}), local(MON)),
                                     (rc.SeatCoalition(actor="sv.admin", members=SV_COALITION), local(MON)))
    stream, projector, reads = f"district-{district.district_id}", Projector(event_store.pool), ReadModels(event_store.pool)
    await event_store.append(stream, to_rows(1, rollout.log))
    await projector.catch_up()
    standing = await reads.person_access(district.district_id, "sv.super")
    assert standing == {"roles": ["supervisor"], "school_id": None, "coalition": False, "supervises": ("silver-valley-ms",)}
    assert (await reads.person_access(district.district_id, "sv.teaching"))["coalition"] is True
    assert (await reads.person_access(district.district_id, "svm.teacher1"))["supervises"] == ()

    first = len(rollout.log) + 1
    changed = rollout.run(rc.ChangeRoles(actor="sv.admin", person_id="sv.super", roles=(Role.SUPERVISOR,),
                                         supervises=("silver-valley-es", "silver-valley-hs")), local(MON))
    left = rollout.run(rc.PersonLeaves(actor="sv.admin", person_id="svm.teacher1", reason="moved away"), local(MON))
    await event_store.append(stream, to_rows(first, [*changed, *left]))
    await projector.catch_up()
    assert (await reads.person_access(district.district_id, "sv.super"))["supervises"] == ("silver-valley-es", "silver-valley-hs")
    assert await reads.person_access(district.district_id, "svm.teacher1") is None
