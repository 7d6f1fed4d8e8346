"""The district rollout's rules, one per test (seeds 000, 001): each phase checked at its gate."""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.files import load_district_file
from domain.errors import InvalidTransition, NotAllowed
from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.decider import GateNotPassed, decide, next_tick_at
from domain.rollout.phases import Phase
from domain.rollout.state import RolloutState
from tests.support.gwt import ROLLOUT, OnDates

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "districts"
TZ = ZoneInfo("America/Los_Angeles")


def at(d: date, hour: int = 9) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ)


class Rollout(OnDates):
    def __init__(self, name: str = "silver-valley", on: date = date(2026, 9, 14), start: c.StartRollout | None = None):
        super().__init__(ROLLOUT, TZ)
        self.start = start or load_district_file(EXAMPLES / f"{name}.yaml")
        self.admin = self.start.actor
        self.run(self.start, on)


MON = date(2026, 9, 14)
FALL, SPRING = "2026-27 term 1", "2026-27 term 2"  # the example calendar names no terms: its halves
SV_COALITION = ("sv.admin", "svm.principal", "sve.principal", "svh.principal", "sv.teaching", "svm.math-lead", "sv.union")


def through_coalition(r: Rollout):
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), MON)


def through_shared_knowledge(r: Rollout):
    through_coalition(r)
    r.run(c.RecordInquiryActivity(actor="svm.principal", kind="book_study", title="Learning by Doing", held_on=MON), MON)
    r.run(c.AdoptGlossary(actor=r.admin, terms={"PLC": "professional learning community"}), MON)
    r.run(c.SetNonNegotiables(actor=r.admin, items=("Every teacher belongs to a collaborative team",)), MON)
    for s in r.state.district.schools:
        r.run(c.AlignMissionAndVision(actor=s.principal, school_id=s.school_id), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.BUILD_SHARED_KNOWLEDGE), MON)


def through_model_the_work(r: Rollout):
    through_shared_knowledge(r)
    r.run(c.AddLearningSession(actor=r.admin, term=FALL, topic="Realistic goals", held_on=MON), MON)
    r.run(c.AddLearningSession(actor=r.admin, term=SPRING, topic="Prioritizing standards", held_on=MON), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)
    r.run(c.RecordDistrictNorms(actor=r.admin, norms=("Start on time",), violation_process="Name it, then talk one to one"), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.MODEL_THE_WORK), MON)


def test_starting_opens_the_coalition_phase_with_a_due_date():
    r = Rollout()
    assert r.state.phase is Phase.FORM_COALITION and r.state.due_on == date(2026, 10, 12)


def test_only_a_district_admin_starts_a_rollout():
    start = load_district_file(EXAMPLES / "silver-valley.yaml").model_copy(update={"actor": "svm.principal"})
    with pytest.raises(NotAllowed, match="Only a district admin of Silver Valley School District can start its rollout"):
        decide(RolloutState(), start, at(MON))


def test_a_coalition_gate_lists_every_missing_seat():
    r = Rollout()
    r.run(c.SeatCoalition(actor=r.admin, members=("sv.admin", "svm.principal")), MON)
    with pytest.raises(GateNotPassed) as err:
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), MON)
    message = str(err.value)
    for seat in ("a principal from a elementary school in the valley area", "a principal from a high school in the valley area",
                 "someone from the teaching-and-learning department", "a teacher leader", "union leadership"):
        assert seat in message


def test_a_large_district_needs_a_principal_from_each_level_and_area():
    r = Rollout("cobb-like")
    d = r.state.district
    north = [s.principal for s in d.schools if s.area == "north"]
    members = ("cc.superintendent", *north, *(p.id for p in d.people if p.department), "north-elem-1.lead")
    r.run(c.SeatCoalition(actor=r.admin, members=members), MON)
    with pytest.raises(GateNotPassed) as err:
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), MON)
    assert str(err.value).count("a principal from") == 6  # three levels in each of central and south


def test_a_small_district_may_simply_seat_all_its_principals():
    r = Rollout("justice-county")
    d = r.state.district
    r.run(c.SeatCoalition(actor=r.admin, members=("k.admin", *(s.principal for s in d.schools), "r.curriculum",
                                                  "s.services", "elementary.leader1")), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), MON)
    assert r.state.phase is Phase.BUILD_SHARED_KNOWLEDGE


def test_shared_knowledge_waits_for_the_coalition():
    r = Rollout()
    with pytest.raises(InvalidTransition, match="at form coalition; build shared knowledge comes later"):
        r.run(c.AdoptGlossary(actor=r.admin, terms={"PLC": "x"}), MON)


def test_the_shared_knowledge_gate_lists_what_is_missing():
    r = Rollout()
    through_coalition(r)
    r.run(c.AlignMissionAndVision(actor="svm.principal", school_id="silver-valley-ms"), MON)
    with pytest.raises(GateNotPassed) as err:
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.BUILD_SHARED_KNOWLEDGE), MON)
    m = str(err.value)
    assert "a collective-inquiry activity" in m and "a common glossary" in m and "non-negotiables" in m
    assert "silver-valley-es's mission and vision aligned" in m and "silver-valley-ms's" not in m


def test_only_its_principal_or_an_admin_aligns_a_schools_mission():
    r = Rollout()
    through_coalition(r)
    with pytest.raises(NotAllowed, match="Only sve.principal, the principal of Silver Valley Elementary"):
        r.run(c.AlignMissionAndVision(actor="svm.principal", school_id="silver-valley-es"), MON)


def test_a_one_off_learning_session_is_not_a_plan():
    r = Rollout()
    through_shared_knowledge(r)
    r.run(c.AddLearningSession(actor=r.admin, term=FALL, topic="Learning targets", held_on=MON), MON)
    with pytest.raises(GateNotPassed, match="one-off session is not a plan"):
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)
    r.run(c.AddLearningSession(actor=r.admin, term=FALL, topic="Implementation plans", held_on=MON), MON)
    with pytest.raises(GateNotPassed):  # two sessions, but one term
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)


def test_modelling_the_work_needs_norms_and_a_violation_process():
    r = Rollout()
    through_shared_knowledge(r)
    r.run(c.AddLearningSession(actor=r.admin, term=FALL, topic="Goals", held_on=MON), MON)
    r.run(c.AddLearningSession(actor=r.admin, term=SPRING, topic="Targets", held_on=MON), MON)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)
    with pytest.raises(GateNotPassed, match="norms; its process for norm violations"):
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.MODEL_THE_WORK), MON)


def test_the_first_wave_is_a_pilot_of_volunteer_teams_then_waves_are_schoolwide():
    r = Rollout()
    through_model_the_work(r)
    with pytest.raises(InvalidTransition, match="first wave launches voluntary pilot teams"):
        r.run(c.ScheduleWave(actor=r.admin, kind="schoolwide", launch_on=date(2026, 10, 1), school_ids=("silver-valley-ms",)), MON)
    with pytest.raises(InvalidTransition, match="names its volunteer teams"):
        r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=date(2026, 10, 1), school_ids=("silver-valley-ms",)), MON)
    r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=date(2026, 10, 1), school_ids=("silver-valley-ms",),
                         pilot_team_ids=("svm-math", "svm-science")), MON)
    with pytest.raises(InvalidTransition, match="Only the first wave is a pilot"):
        r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=date(2026, 11, 1), school_ids=("silver-valley-es",),
                             pilot_team_ids=("sve-grade3",)), MON)


def test_waves_launch_on_their_date_and_the_gate_waits_for_every_school():
    r = Rollout()
    through_model_the_work(r)
    r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=date(2026, 10, 1), school_ids=("silver-valley-ms",),
                         pilot_team_ids=("svm-math", "svm-science")), MON)
    r.run(c.ScheduleWave(actor=r.admin, kind="schoolwide", launch_on=date(2027, 1, 11), school_ids=("silver-valley-ms", "silver-valley-es")), MON)
    assert next_tick_at(r.state, at(MON)) <= at(date(2026, 10, 1), 7)
    assert [e.type for e in r.run(c.Tick(), date(2026, 10, 1))] == ["WaveLaunched"]
    assert r.state.launched_schools == ("silver-valley-ms",)
    r.run(c.Tick(), date(2027, 1, 11))
    with pytest.raises(GateNotPassed, match="silver-valley-hs launched schoolwide"):
        r.run(c.CompletePhase(actor=r.admin, phase=Phase.LAUNCH_WAVES), date(2027, 1, 11))


def test_an_overdue_phase_climbs_from_the_admin_to_the_coalition_on_school_days():
    r = Rollout()
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), MON)
    due = r.state.due_on
    cal = r.state.calendar
    [raised] = r.run(c.Tick(), cal.add_school_days(due, 1))
    assert raised.level is Rung.DISTRICT_ADMIN and raised.reached == ("sv.admin",)
    [climbed] = r.run(c.Tick(), cal.add_school_days(due, 5))
    assert climbed.level is Rung.COALITION and set(climbed.reached) == set(SV_COALITION)
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.FORM_COALITION), cal.add_school_days(due, 6))
    assert r.state.escalation is None


def through_the_waves(r) -> None:
    """A pilot wave, then every school schoolwide: the rollout reaches Sustain in 2026-27."""
    through_model_the_work(r)
    r.run(c.ScheduleWave(actor=r.admin, kind="pilot", launch_on=date(2026, 10, 1), school_ids=("silver-valley-ms",),
                         pilot_team_ids=("svm-math",)), MON)
    r.run(c.ScheduleWave(actor=r.admin, kind="schoolwide", launch_on=date(2026, 10, 5),
                         school_ids=("silver-valley-ms", "silver-valley-es", "silver-valley-hs")), MON)
    r.run(c.Tick(), date(2026, 10, 5))
    r.run(c.CompletePhase(actor=r.admin, phase=Phase.LAUNCH_WAVES), date(2026, 10, 5))


def test_sustain_reviews_each_school_every_year():
    r = Rollout()
    through_the_waves(r)
    assert (r.state.phase, r.state.school_year) == (Phase.SUSTAIN, "2026-27")
    for s in ("silver-valley-ms", "silver-valley-es"):
        r.run(c.ReviewSchool(actor="svm.math-lead", school_id=s, celebration="Math team's restructuring"), date(2027, 5, 3))
    with pytest.raises(InvalidTransition, match="already reviewed in 2026-27"):
        r.run(c.ReviewSchool(actor="sv.admin", school_id="silver-valley-es", celebration="again"), date(2027, 5, 3))
    events = r.run(c.Tick(), date(2027, 8, 25))
    assert r.state.school_year == "2027-28" and "PhaseOpened" in [e.type for e in events]


def test_a_school_year_begun_but_not_opened_is_due_at_once():
    """The district's run may continue as new at the boundary before its clock ticked the new year."""
    r = Rollout()
    through_the_waves(r)
    for s in ("silver-valley-ms", "silver-valley-es", "silver-valley-hs"):
        r.run(c.ReviewSchool(actor="svm.math-lead", school_id=s, celebration="A year of inquiry"), date(2027, 5, 3))
    later = at(date(2027, 8, 27), 12)  # two days into 2027-28, nothing ticked yet
    assert r.state.school_year == "2026-27"
    assert next_tick_at(r.state, later) == later
    r.run(c.Tick(), date(2027, 8, 27), 12)
    assert r.state.school_year == "2027-28"
