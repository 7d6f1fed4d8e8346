"""The rollout's forms (web/district_forms.py, issue 11): what a district admin types becomes the command's own
fields, and every mistake comes back keyed to its field, in words a person can act on."""

from datetime import date

from domain.rollout import commands as c
from web.district_forms import BY_ACTION, FORMS, command_from
from workflows.contracts import DISTRICT_UPDATES


def test_every_form_sends_a_command_the_district_workflow_takes_and_names_only_its_fields():
    assert {f.action for f in FORMS} <= set(DISTRICT_UPDATES.values())
    for f in FORMS:
        assert {i.name for i in f.inputs} <= set(f.command.model_fields) - {"actor"}, f.action


def test_lists_are_one_per_line_and_a_glossary_term_colon_meaning():
    command, errors, _ = command_from("seat_coalition", "sv.admin", {"csrf": "x", "members": " sv.admin \n\n sv.union\n"})
    assert errors == {} and command == c.SeatCoalition(actor="sv.admin", members=("sv.admin", "sv.union"))
    command, errors, _ = command_from("adopt_glossary", "sv.admin", {"terms": "PLC: professional learning community\nSMART: a goal: measurable"})
    assert command.terms == {"PLC": "professional learning community", "SMART": "a goal: measurable"}


def test_mistakes_are_keyed_to_their_field_and_what_was_typed_is_kept():
    command, errors, values = command_from("adopt_glossary", "sv.admin", {"terms": "PLC: ours\nno colon here"})
    assert command is None and errors == {"adopt_glossary-terms": ["line 2: write each term as “term: meaning”"]}
    assert values == {"adopt_glossary-terms": "PLC: ours\nno colon here"}
    command, errors, _ = command_from("record_inquiry_activity", "sv.admin", {"kind": "book_study", "title": "", "held_on": ""})
    assert command is None and set(errors) == {"record_inquiry_activity-title", "record_inquiry_activity-held_on"}
    assert errors["record_inquiry_activity-held_on"] == ["Enter a date."]
    _, errors, _ = command_from("set_non_negotiables", "sv.admin", {"items": "  \n"})
    assert errors == {"set_non_negotiables-items": ["Write at least one, one per line."]}
    _, errors, _ = command_from("schedule_wave", "sv.admin", {"kind": "pilot", "launch_on": "2027-01-11",
                                                              "school_ids": "silver-valley-ms\nNot An Id", "pilot_team_ids": ""})
    assert errors == {"schedule_wave-school_ids": [
        "line 2: 'Not An Id' is not an id: use lowercase letters, digits and dashes (user ids may also use . and _)"]}


def test_an_escalation_s_forms_are_keyed_by_the_escalation():
    command, errors, _ = command_from("snooze", "sv.admin", {"escalation_id": "sv.1", "until": "2027-01-11", "reason": "ok"})
    assert command is None and list(errors) == ["snooze-sv.1-reason"]
    command, _, _ = command_from("snooze", "sv.admin", {"escalation_id": "sv.1", "until": "2027-01-11", "reason": "Board meets"})
    assert command == c.SnoozeRolloutEscalation(actor="sv.admin", escalation_id="sv.1", until=date(2027, 1, 11), reason="Board meets")
    assert BY_ACTION["complete_phase"].inputs == ()  # its phase travels hidden: the page's current phase
