"""Issue 10: each outbox kind renders in plain words, with the exact commands and API paths, and the subject
names the most urgent item. Payloads as the real writers build them (workflows.persistence, workflows.notices)."""

from datetime import date

from activities.notice_text import Facts, render
from activities.notifier import Batch

URL = "https://plc.sv.example.org"
TEAM = {"escalation_id": "g7-math.1", "team_id": "g7-math", "team_name": "Grade 7 Math", "school_id": "svm",
        "step": "pose_question", "level": "facilitator", "reason": "pose question in cycle 1 was due 2026-09-21"}
NORMS = {"scope": "school", "school_id": "svm", "school_name": "Silver Valley Middle", "district_id": "sv",
         "subject": "norms_review", "team_id": "svm-math", "team_name": "Mathematics", "escalation_id": "svm.3",
         "level": "principal", "reason": "Mathematics's norms review was due 2026-10-09", "raised_on": "2026-10-12"}
PHASE = {"scope": "district", "district_id": "sv", "district_name": "Silver Valley", "subject": "phase",
         "phase": "form_coalition", "escalation_id": "sv.1", "level": "coalition", "reason": "overdue",
         "raised_on": "2026-10-01"}
GAP = {"team_id": "g7-math", "team_name": "Grade 7 Math", "school_id": "svm", "gap": "facilitator",
       "reason": "Grade 7 Math has no facilitator since m.diaz left"}


def message(*rows: tuple[str, dict], facts: dict[int, Facts] | None = None, url: str | None = URL):
    batch = Batch("svm.principal", "p@sv.example.org", "sv", "<x@plcflow>",
                  tuple({"id": i, "kind": k, "payload": p, "recipient": "svm.principal"} for i, (k, p) in enumerate(rows, 1)))
    msg = render(batch, "plcflow@sv.example.org", facts, url)
    return msg["Subject"].strip(), msg.get_body(("plain",)).get_content()


def test_a_school_escalation_names_the_school_its_clock_and_the_school_commands():
    subject, text = message(("escalation", NORMS))
    assert subject == "plcflow: Silver Valley Middle: the norms review of Mathematics"
    assert "Open since Monday 12 October 2026." in text and "Escalated to the principal rung." in text
    assert "plcflow school act svm review_norms --as svm.principal --set ... (API: POST /v1/schools/svm/review_norms)" in text
    assert 'plcflow school act svm acknowledge --as svm.principal --set escalation_id=svm.3 --set reason="..."' in text
    assert f"Open: {URL}/v1/schools/svm/summary" in text


def test_a_district_escalation_names_the_phase_and_how_to_complete_it():
    _, text = message(("escalation", PHASE))
    assert "Silver Valley: the phase form coalition" in text
    assert "plcflow district act sv complete_phase --as svm.principal --set phase=form_coalition" in text
    assert "(API: POST /v1/districts/sv/acknowledge or /v1/districts/sv/snooze)" in text


def test_the_subject_names_the_most_urgent_item_first():
    facts = {1: Facts(date(2026, 10, 2), date(2026, 9, 21), 9)}
    subject, text = message(("escalation", TEAM), ("escalation", PHASE), ("roster_gap", GAP), facts=facts)
    assert subject == "plcflow: Silver Valley: the phase form coalition (and 2 more)"
    assert text.index("Silver Valley: the phase") < text.index("Grade 7 Math: the team lost") < text.index("Grade 7 Math: pose")
    assert "9 school days overdue (due Monday 21 September 2026)." in text


def test_a_roster_gap_and_a_reminder_render_too():
    reminder = {"team_id": "g7-math", "team_name": "Grade 7 Math", "step": "plan_action", "due_on": "2026-10-05",
                "school_days_before_due": 1}
    _, text = message(("roster_gap", GAP), ("reminder-1", reminder))
    assert "Grade 7 Math: the team lost its people" in text and "Why: Grade 7 Math has no facilitator since m.diaz left" in text
    assert "Grade 7 Math — step: plan action — due in 1 school day, on Monday 5 October 2026" in text and "plcflow team advance g7-math" in text


def test_without_a_public_url_there_is_no_link():
    _, text = message(("escalation", TEAM), url=None)
    assert "Open:" not in text and "http" not in text
