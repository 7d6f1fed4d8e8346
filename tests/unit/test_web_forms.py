"""The web app's evidence form and audit trail (issue 11): form fields to an AdvanceStep, each error to its
field; events to sentences that say who did what, when and why."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from activities.event_store import StoredEvent
from domain.steps import Step
from web.evidence_form import GENERAL, advance_command
from web.history import trail

LEVELS = ("Beginning", "Developing", "Proficient", "Advanced")


def test_a_filled_form_becomes_the_command_with_the_district_level_names():
    form = {"step": "identify_focus", "focus": " Word problems ", "result_metric": "Unit 2", "result_n": "10",
            "count_0": "4", "count_2": "6", "count_3": "", "link_title": "", "link_url": "", "note": ""}
    command, errors = advance_command("t.nelson", form, LEVELS)
    assert errors == {}
    assert command.step is Step.IDENTIFY_FOCUS and command.actor == "t.nelson"
    assert command.evidence.focus == "Word problems"
    assert command.evidence.results[0].counts == {"Beginning": 4, "Proficient": 6}
    assert command.evidence.links == [] and command.evidence.notes == []


def test_each_error_lands_next_to_its_field():
    form = {"step": "identify_focus", "result_metric": "Unit 2", "result_n": "ten", "count_0": "4",
            "link_title": "Data", "link_url": "drive/doc", "note": "Student 1234567 did well"}
    command, errors = advance_command("t.nelson", form, LEVELS)
    assert command is None
    assert set(errors) == {"result_n", "link_url", "note"}
    assert errors["note"] == ["must not contain a number of five or more digits, even written with dots, dashes or "
                              "spaces (12-345-67): it looks like a student ID, and evidence is aggregate only"]


def test_counts_that_do_not_add_up_are_the_result_s_error():
    form = {"step": "collect_evidence", "result_metric": "Unit 2", "result_n": "12", "count_1": "11"}
    _, errors = advance_command("t.nelson", form, LEVELS)
    assert errors == {"result_n": ["counts per level add up to 11, but n is 12"]}


def test_an_unknown_step_is_a_form_error():
    _, errors = advance_command("t.nelson", {"step": "dance"}, LEVELS)
    assert list(errors) == [GENERAL]


def _event(version, type_, **data):
    return StoredEvent(stream_id="team-g7", version=version, type=type_, data=data,
                       occurred_at=datetime(2026, 9, 14, 15, 30, tzinfo=UTC), recorded_at=datetime.now(UTC))


def test_the_history_says_who_did_what_when_and_why_newest_first():
    events = [
        _event(1, "StepCompleted", cycle=1, step="identify_focus", by="t.nelson",
               evidence={"focus": "Word problems", "results": [{"metric": "U2", "n": 3, "counts": {"a": 3}, "small": True}],
                         "links": [], "notes": []}),
        _event(2, "StepRevisited", cycle=1, from_step="pose_question", to_step="identify_focus", by="a.kennedy",
               reason="The data was thin"),
        _event(3, "EscalationAcknowledged", escalation_id="g7.1", by="p.rivera", reason="Talking Thursday",
               held_until="2026-09-17"),
        _event(4, "SomethingNew", by="sv.admin"),
    ]
    entries = trail(events, ZoneInfo("America/Los_Angeles"))
    assert [(e.who, e.what, e.why) for e in entries] == [
        ("sv.admin", "SomethingNew", None),  # an event without a sentence is named, never hidden
        ("p.rivera", "acknowledged the escalation until 2026-09-17", "Talking Thursday"),
        ("a.kennedy", "went back from “pose question” to “identify focus”", "The data was thin"),
        ("t.nelson", "completed “identify focus” with its focus, 1 aggregate result", None),  # never the numbers
    ]
    assert entries[0].at.isoformat() == "2026-09-14T08:30:00-07:00"  # in the district's time zone


def test_the_history_reads_every_event_a_registration_writes():
    """Found in make run's screenshots: the demo team's history showed the bare name "TeamAdminsNamed"."""
    entries = trail([_event(1, "TeamAdminsNamed", admins=["district.admin", "k.admin"])], ZoneInfo("UTC"))
    assert [(e.who, e.what) for e in entries] == [
        (None, "District admins who may publish its calendar: district.admin, k.admin")]
