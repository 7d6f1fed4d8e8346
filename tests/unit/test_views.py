"""The --json views keep their documented shape."""

import json
from datetime import date

from app.views import district_view, school_view
from domain.school import commands as m
from tests.unit.test_rollout_rules import Rollout, through_coalition
from tests.unit.test_school_rules import RATINGS, School

DISTRICT_FIELDS = {"view_version", "district_id", "name", "phase", "completed_phases", "due_on", "school_year", "coalition",
                   "waves", "schools", "escalation", "rolled_up_escalations", "calendar_end_escalation", "last_school_day",
                   "reviews", "version"}
SCHOOL_FIELDS = {"view_version", "school_id", "name", "district_id", "mode", "term", "school_year", "teams", "assessments",
                 "trend", "escalations", "rolled_up_escalations", "version"}


def test_the_district_view_says_where_the_rollout_stands():
    r = Rollout()
    through_coalition(r)
    view = district_view(r.state, {"silver-valley-ms": "pilot"})
    assert set(view) == DISTRICT_FIELDS and view["phase"] == "build_shared_knowledge"
    assert {s["school_id"]: s["launched"] for s in view["schools"]}["silver-valley-ms"] == "pilot"
    json.dumps(view)


def test_the_school_view_shows_teams_assessments_and_trend():
    s = School(mode="schoolwide")
    s.run(m.SelfAssess(actor="svm.principal", ratings=RATINGS), date(2026, 12, 1))
    s.run(m.SchoolTick(), date(2027, 1, 28))
    s.run(m.SelfAssess(actor="svm.principal", ratings={**RATINGS, "collaboration": "Implementing"}), date(2027, 5, 3))
    view = school_view(s.state, ("svm-math",))
    assert set(view) == SCHOOL_FIELDS and view["trend"]["collaboration"] == 1
    assert [t["running"] for t in view["teams"] if t["team_id"] == "svm-math"] == [True]
    json.dumps(view)
