"""One given/when/then harness over (decide, evolve) serves all three aggregates (issue 8, Structure).

Each test starts from recorded events (``given(*events)``), as a stored stream
replays, and checks a rule of its aggregate: the events decided, or the refusal
word for word with nothing changed.
"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from app.files import load_district_file
from domain.errors import InvalidTransition, NotAllowed
from domain.rollout import commands as rc
from domain.school import commands as sc
from domain.team import commands as tc
from tests.support.builders import register
from tests.support.gwt import ROLLOUT, SCHOOL, TEAM

TZ = ZoneInfo("America/Los_Angeles")
START = load_district_file(Path(__file__).resolve().parents[2] / "examples" / "districts" / "silver-valley.yaml")
MIDDLE = START.district.school("silver-valley-ms")


def at(d: date) -> datetime:
    return datetime.combine(d, time(9), tzinfo=TZ)


MON = at(date(2026, 9, 14))


def test_team_given_a_started_cycle_when_another_starts_it_is_refused():
    recorded = TEAM.given_commands((register(), MON), (tc.StartCycle(actor="a.kennedy"), MON)).log
    scenario = TEAM.given(*recorded)
    assert scenario.state.cycle == 1
    scenario.when(tc.StartCycle(actor="a.kennedy"), MON).refused(
        InvalidTransition, "Cycle 1 of Grade 7 Math is still open at identify focus.")


def test_school_given_a_schoolwide_launch_when_the_signal_repeats_then_nothing_happens():
    opening = sc.OpenSchool(actor="sv.admin", district_id="silver-valley", school=MIDDLE, calendar=START.calendar,
                            rubric=START.rubric, coalition=("sv.admin",), mode="pilot", pilot_team_ids=("svm-math",))
    recorded = SCHOOL.given_commands((opening, MON), (sc.LaunchSchoolwide(actor="sv.admin"), at(date(2027, 1, 11)))).log
    SCHOOL.given(*recorded).when(sc.LaunchSchoolwide(actor="sv.admin"), at(date(2027, 1, 12))).then()  # a repeated signal changes nothing


def test_rollout_given_a_started_rollout_when_a_stranger_seats_the_coalition_it_is_refused():
    recorded = ROLLOUT.given_commands((START, MON)).log
    ROLLOUT.given(*recorded).when(rc.SeatCoalition(actor="svm.teacher1", members=("sv.admin",)), MON).refused(
        NotAllowed, "Only a district admin of Silver Valley School District can seat the guiding coalition; "
        "svm.teacher1 is not one.")

