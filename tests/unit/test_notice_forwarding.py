"""Issue 10: a notice for a person with no address goes to the next rung's people only if the district's policy
says so (domain.notice_forwarding): who stands in, precisely."""

from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from app.files import load_district_file
from domain.errors import InvalidConfiguration
from domain.ladder import Rung
from domain.notice_forwarding import NoticesWithoutAddress, ladder, stand_ins
from domain.rollout.policy import RolloutPolicy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TEAM = ladder("team")
# A team: three members (one of them its facilitator too), its facilitator, its principal, the district's coalition.
HOLDERS = {Rung.TEAM: {"t1", "t2", "lead"}, Rung.FACILITATOR: {"lead"}, Rung.PRINCIPAL: {"boss"},
           Rung.COALITION: {"c1", "c2"}}
EVERYONE = {"t1", "t2", "lead", "boss", "c1", "c2"}


def test_a_members_notice_goes_to_the_facilitator():
    # given t2 has no address, when their team's notice is forwarded, then the facilitator receives it
    assert stand_ins(TEAM, HOLDERS, "t2", EVERYONE - {"t2"}) == ("lead",)


def test_a_rung_whose_holders_have_no_address_is_skipped():
    assert stand_ins(TEAM, HOLDERS, "t1", EVERYONE - {"t1", "lead"}) == ("boss",)
    assert stand_ins(TEAM, HOLDERS, "t1", EVERYONE - {"t1", "lead", "boss"}) == ("c1", "c2")
    assert stand_ins(TEAM, HOLDERS, "t1", EVERYONE - {"c1"} - {"t1", "lead", "boss"}) == ("c2",)  # only those with one


def test_a_person_stands_on_the_highest_rung_they_hold():
    # the facilitator is also a member: the member's rung cannot reach them either
    assert stand_ins(TEAM, HOLDERS, "lead", EVERYONE - {"lead"}) == ("boss",)
    assert stand_ins(TEAM, HOLDERS, "boss", EVERYONE - {"boss"}) == ("c1", "c2")


def test_nobody_stands_in_for_the_top_rung_someone_off_the_ladder_or_when_no_one_above_has_an_address():
    assert stand_ins(TEAM, HOLDERS, "c1", EVERYONE - {"c1"}) == ()
    assert stand_ins(TEAM, HOLDERS, "gone", EVERYONE) == ()  # left the team since the notice was written
    assert stand_ins(TEAM, HOLDERS, "t1", {"t2"}) == ()  # a member is no stand-in for another member


def test_each_ladder_has_its_rungs():
    assert TEAM == (Rung.TEAM, Rung.FACILITATOR, Rung.PRINCIPAL, Rung.COALITION)
    assert ladder("school", "norms:g7-math") == (Rung.FACILITATOR, Rung.PRINCIPAL)
    assert ladder("school", "assessment") == ladder("school", "teams:2026-27") == (Rung.PRINCIPAL, Rung.COALITION)
    assert ladder("district", "build_shared_knowledge") == ladder("district", "calendar") == (Rung.DISTRICT_ADMIN, Rung.COALITION)
    assert ladder("district", "coalition") == (Rung.DISTRICT_ADMIN,)
    school = {Rung.FACILITATOR: {"lead"}, Rung.PRINCIPAL: {"boss"}, Rung.COALITION: {"c1"}}
    assert stand_ins(ladder("school", "norms:g7-math"), school, "boss", EVERYONE - {"boss"}) == ()  # its top rung
    assert stand_ins(ladder("school", "assessment"), school, "boss", EVERYONE - {"boss"}) == ("c1",)
    district = {Rung.DISTRICT_ADMIN: {"admin"}, Rung.COALITION: {"c1", "c2"}}
    assert stand_ins(ladder("district", "calendar"), district, "admin", EVERYONE) == ("c1", "c2")
    seated = {Rung.DISTRICT_ADMIN: {"admin"}, Rung.COALITION: {"c1", "admin"}}
    assert stand_ins(ladder("district", "calendar"), seated, "admin", EVERYONE) == ()  # on the top rung themselves
    assert stand_ins(ladder("district", "coalition"), district, "admin", EVERYONE) == ()


people = st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"])


@given(holders=st.fixed_dictionaries({rung: st.sets(people, max_size=3) for rung in TEAM}),
       person=people, addressed=st.sets(people))
def test_stand_ins_have_an_address_and_hold_the_first_reachable_rung_above_the_person(holders, person, addressed):
    out = stand_ins(TEAM, holders, person, addressed)
    held = [i for i, rung in enumerate(TEAM) if person in holders[rung]]
    above = TEAM[max(held) + 1:] if held else ()
    reachable = [rung for rung in above if holders[rung] & (addressed - {person})]
    if not reachable:
        assert out == ()
    else:
        assert out == tuple(sorted(holders[reachable[0]] & (addressed - {person})))
        assert person not in out and set(out) <= addressed


def test_the_policy_parks_by_default_and_a_policy_recorded_before_the_key_reads_as_park():
    assert RolloutPolicy().notices_without_address is NoticesWithoutAddress.PARK
    recorded = RolloutPolicy().model_dump(mode="json")
    del recorded["notices_without_address"]
    assert RolloutPolicy.model_validate(recorded).notices_without_address is NoticesWithoutAddress.PARK


def _district_file(tmp_path, rollout: dict) -> Path:
    district = yaml.safe_load((EXAMPLES / "districts" / "silver-valley.yaml").read_text())
    district.update(calendar=str(EXAMPLES / "calendar.yaml"), rubric=str(EXAMPLES / "districts" / "rubric.yaml"),
                    rollout={**(district.get("rollout") or {}), **rollout})
    (tmp_path / "district.yaml").write_text(yaml.safe_dump(district))
    return tmp_path / "district.yaml"


def test_a_district_file_chooses_next_rung_under_rollout(tmp_path):
    started = load_district_file(_district_file(tmp_path, {"notices_without_address": "next_rung"}))
    assert started.policy.notices_without_address is NoticesWithoutAddress.NEXT_RUNG


def test_a_district_file_with_another_value_is_refused_with_its_path(tmp_path):
    with pytest.raises(InvalidConfiguration) as refusal:
        load_district_file(_district_file(tmp_path, {"notices_without_address": "everyone"}))
    assert any(p.startswith("rollout.notices_without_address") for p in refusal.value.problems), refusal.value.problems
