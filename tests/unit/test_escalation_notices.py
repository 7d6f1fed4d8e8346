"""Issue 10: every escalation reaches its people by email. For each rung of the school's and the district's
ladders (and a reassignment), the outbox rows written with the event go to exactly the people it reached."""

from collections import defaultdict
from datetime import date

from domain.ladder import Rung
from domain.rollout import commands as c
from domain.school import commands as m
from domain.school import events as sev
from tests.unit.test_rollout_rules import MON, SV_COALITION, Rollout, through_coalition
from tests.unit.test_school_rules import START, School
from workflows.notices import rollout_notifications, school_notifications

NOTICE_KEYS = {"scope", "escalation_id", "level", "reason"}


def rows_of(aggregate, notifications, command, day: date) -> tuple[list, dict, dict]:
    """Run a command; return its events and {version: recipients} of the rows the workflow would append."""
    events = aggregate.run(command, day)
    first = aggregate.state.version - len(events) + 1
    rows = notifications(aggregate.state, first, events)
    by_version = defaultdict(list)
    for row in rows:
        by_version[row.version].append(row.recipient)
        assert NOTICE_KEYS <= set(row.payload) and row.kind == "escalation"
    return events, {first + i: e for i, e in enumerate(events)}, dict(by_version)


def assert_reached_exactly(events_by_version: dict, rows: dict, raised_types: tuple) -> list:
    raised = {v: e for v, e in events_by_version.items() if isinstance(e, raised_types)}
    assert raised  # the premise: a rung fired
    assert rows == {v: list(e.reached) for v, e in raised.items()}
    return list(raised.values())


def test_a_norms_review_notifies_the_facilitator_then_the_principal():
    s, cal = School(), START.calendar
    due = s.state.norms_due_on
    _, events, rows = rows_of(s, school_notifications, m.SchoolTick(), cal.add_school_days(due, 1))
    first = assert_reached_exactly(events, rows, (sev.SchoolEscalationRaised,))
    facilitators = {t.spec.facilitator for t in s.state.teams.values()}
    assert {e.level for e in first} == {Rung.FACILITATOR} and {r for rs in rows.values() for r in rs} == facilitators
    _, events, rows = rows_of(s, school_notifications, m.SchoolTick(), cal.add_school_days(due, 5))
    climbed = assert_reached_exactly(events, rows, (sev.SchoolEscalationRaised,))
    assert {e.level for e in climbed} == {Rung.PRINCIPAL} and {r for rs in rows.values() for r in rs} == {"svm.principal"}


def test_a_norms_review_names_only_its_own_team():
    s, cal = School(), START.calendar
    events = s.run(m.SchoolTick(), cal.add_school_days(s.state.norms_due_on, 1))
    rows = school_notifications(s.state, s.state.version - len(events) + 1, events)
    for row in rows:
        subject = next(e.subject for e in events if e.escalation_id == row.payload["escalation_id"])
        team_id = subject.removeprefix("norms:")
        assert row.payload["team_id"] == team_id and row.payload["team_name"] == s.state.teams[team_id].spec.name
        others = [t.spec.name for i, t in s.state.teams.items() if i != team_id]
        assert not any(name in str(row.payload) for name in others)


def test_a_missed_self_assessment_notifies_the_coalition_it_reached():
    s, cal = School(mode="schoolwide"), START.calendar
    due = s.state.assessment_due_on
    s.run(m.SchoolTick(), cal.add_school_days(due, 1))
    _, events, rows = rows_of(s, school_notifications, m.SchoolTick(), cal.add_school_days(due, 5))
    raised = assert_reached_exactly(events, rows, (sev.SchoolEscalationRaised,))
    [assessment] = [e for e in raised if e.subject == "assessment"]
    assert assessment.level is Rung.COALITION and set(assessment.reached) == {"sv.admin", "svm.principal"}


def test_a_reassigned_school_escalation_notifies_only_the_newly_reached():
    s, cal = School(), START.calendar
    due = s.state.norms_due_on
    s.run(m.SchoolTick(), cal.add_school_days(due, 1))
    s.run(m.SchoolTick(), cal.add_school_days(due, 5))
    _, events, rows = rows_of(s, school_notifications, m.ChangePrincipal(actor="sv.admin", principal="h.chen"),
                              cal.add_school_days(due, 5))
    moved = {v: e for v, e in events.items() if isinstance(e, sev.SchoolEscalationReassigned)}
    assert moved and rows == {v: list(e.newly_reached) for v, e in moved.items()} and "svm.principal" not in str(rows)


def test_an_overdue_phase_notifies_the_admin_then_the_coalition():
    from domain.rollout import events as rev

    r = Rollout()
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), MON)
    cal, due = r.state.calendar, r.state.due_on
    _, events, rows = rows_of(r, rollout_notifications, c.Tick(), cal.add_school_days(due, 1))
    [admin] = assert_reached_exactly(events, rows, (rev.RolloutEscalationRaised,))
    assert admin.level is Rung.DISTRICT_ADMIN and list(rows.values()) == [["sv.admin"]]
    _, events, rows = rows_of(r, rollout_notifications, c.Tick(), cal.add_school_days(due, 5))
    [coalition] = assert_reached_exactly(events, rows, (rev.RolloutEscalationRaised,))
    assert coalition.level is Rung.COALITION and set(next(iter(rows.values()))) == set(SV_COALITION)
    payload = rollout_notifications(r.state, r.state.version, [coalition])[0].payload
    assert payload["phase"] == "form_coalition" and payload["scope"] == "district"


def test_the_calendars_end_notifies_the_admin_then_the_coalition():
    from domain.rollout import events as rev

    r = Rollout(on=date(2028, 4, 3))
    r.run(c.SeatCoalition(actor=r.admin, members=SV_COALITION), date(2028, 4, 3))
    days = list(r.state.calendar.school_days)
    for day, rung in ((days[-21], Rung.DISTRICT_ADMIN), (days[-17], Rung.COALITION)):
        _, events, rows = rows_of(r, rollout_notifications, c.Tick(), day)
        raised = assert_reached_exactly(events, rows, (rev.RolloutEscalationRaised, rev.CalendarEndEscalationRaised))
        [end] = [e for e in raised if isinstance(e, rev.CalendarEndEscalationRaised)]
        assert end.level is rung


def test_a_coalition_gap_and_a_reassigned_phase_escalation_notify_exactly_their_people():
    from domain.rollout import events as rev

    r = Rollout()
    through_coalition(r)
    _, events, rows = rows_of(r, rollout_notifications, c.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), MON)
    assert_reached_exactly(events, rows, (rev.CoalitionGapRaised,))

    r = Rollout()
    r.run(c.SeatCoalition(actor="sv.admin", members=SV_COALITION), MON)
    cal = r.state.calendar
    for offset in (1, 5):  # the admin, then the coalition
        r.run(c.Tick(), cal.add_school_days(r.state.due_on, offset))
    day = cal.add_school_days(r.state.due_on, 5)
    _, events, rows = rows_of(r, rollout_notifications, c.UnseatCoalitionMember(actor="sv.admin", member="sv.union"), day)
    assert rows == {}  # nobody newly reached: nobody told
    _, events, rows = rows_of(r, rollout_notifications, c.SeatCoalitionMember(actor="sv.admin", member="sv.union"), day)
    [(version, moved)] = [(v, e) for v, e in events.items() if isinstance(e, rev.RolloutEscalationReassigned)]
    assert moved.newly_reached == ("sv.union",) and rows == {version: ["sv.union"]}


def test_the_recorded_histories_appended_these_escalations_without_rows_so_their_replay_proves_it_is_safe():
    """tests/workflows/test_replay.py replays these histories with the code that now writes rows for them: the
    append activity's input differs from the recorded one, and replay (which does not compare it) still passes."""
    import base64
    import json
    from pathlib import Path

    histories = Path(__file__).resolve().parents[1] / "workflows" / "histories"
    without_rows = set()
    for name in ("school_adoption_v4", "school_new_school_year_v4", "district_new_school_year_v4"):
        for e in json.loads((histories / f"{name}.json").read_text())["events"]:
            a = e.get("activityTaskScheduledEventAttributes")
            if a and a["activityType"]["name"] == "append_events":
                batch = json.loads(base64.b64decode(a["input"]["payloads"][0]["data"]))
                if not batch["notifications"]:
                    without_rows |= {r["type"] for r in batch["events"]}
    assert {"SchoolEscalationRaised", "SchoolEscalationReassigned", "RolloutEscalationRaised",
            "CalendarEndEscalationRaised", "CoalitionGapRaised"} <= without_rows
