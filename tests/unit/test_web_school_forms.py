"""The principal's school forms (issue 11, "Principal"; seeds 002 and 004): fields to the school's commands, each
error to its field, and the rubric trend as an SVG with its axes, levels and legend."""

from datetime import date
from pathlib import Path

from app.files import load_district_file
from domain.rubric import Assessment
from domain.school.commands import AcknowledgeSchoolEscalation, RecordNorms, SnoozeSchoolEscalation
from web.school import trend_chart
from web.school_forms import command_from, self_assessment

RUBRIC = load_district_file(Path(__file__).resolve().parents[2] / "examples" / "districts" / "silver-valley.yaml").rubric


def test_norms_are_typed_one_per_line_and_blank_lines_do_not_count():
    form = {"csrf": "x", "team_id": "svm-math", "procedural": " Start on time \n\nRotate the note-taker\n",
            "conversational": "Assume good intent"}
    command, errors, values, key = command_from("record_norms", "svm.principal", form)
    assert errors == {} and key == "record_norms-svm-math" and isinstance(command, RecordNorms)
    assert command.procedural == ("Start on time", "Rotate the note-taker")
    assert values["record_norms-svm-math-procedural"].startswith("Start on time")  # shown again as typed


def test_an_empty_list_of_norms_is_an_error_next_to_it():
    form = {"team_id": "svm-math", "procedural": "Start on time", "conversational": " \n "}
    command, errors, _, _ = command_from("record_norms", "svm.principal", form)
    assert command is None
    assert errors == {"record_norms-svm-math-conversational": ["Write at least one norm, one per line."]}


def test_one_answer_form_acknowledges_without_its_date_or_snoozes_with_it():
    form = {"escalation_id": "svm.3", "reason": "Seen; on it this week", "until": ""}
    ack, errors, _, key = command_from("acknowledge", "svm.principal", form)
    assert errors == {} and isinstance(ack, AcknowledgeSchoolEscalation) and key == "answer-svm.3"
    command, errors, _, _ = command_from("snooze", "svm.principal", form)
    assert command is None and errors == {"answer-svm.3-until": ["Choose the day the snooze ends."]}
    snooze, errors, _, _ = command_from("snooze", "svm.principal", {**form, "until": "2026-12-10"})
    assert errors == {} and isinstance(snooze, SnoozeSchoolEscalation) and snooze.until == date(2026, 12, 10)


def test_a_self_assessment_rates_every_dimension_on_the_district_s_levels():
    first, *others = RUBRIC.dimensions
    form = {f"rating-{d.id}": "Implementing" for d in others} | {f"rating-{first.id}": "Excellent"}
    command, errors, values = self_assessment("svm.principal", form, RUBRIC)
    assert command is None and errors == {f"rating-{first.id}": [f"Choose a level for {first.name}."]}
    assert values[f"rating-{others[0].id}"] == "Implementing"
    command, errors, _ = self_assessment("svm.principal", {**form, f"rating-{first.id}": "Beginning"}, RUBRIC)
    assert errors == {} and command.ratings[first.id] == "Beginning" and len(command.ratings) == len(RUBRIC.dimensions)


def test_the_trend_chart_has_axes_levels_a_legend_and_a_point_per_dimension_and_term():
    ratings = [{d.id: RUBRIC.levels[i % len(RUBRIC.levels)] for i, d in enumerate(RUBRIC.dimensions)},
               {d.id: RUBRIC.levels[-1] for d in RUBRIC.dimensions}]
    terms = [Assessment(term=f"2026-27 term {n + 1}", assessed_on=date(2027, 1 + 4 * n, 15), ratings=r)
             for n, r in enumerate(ratings)]
    svg = str(trend_chart(RUBRIC, tuple(terms)))
    assert svg.count('class="point"') == 2 * len(RUBRIC.dimensions) and svg.count("<polyline") == len(RUBRIC.dimensions)
    for label in ("term and the day it was assessed", "level", *RUBRIC.levels, "2026-27 term 2"):
        assert f">{label}<" in svg, label
    assert all(d.name.replace("'", "&#x27;") in svg for d in RUBRIC.dimensions)  # the legend
    assert "<desc" in svg and f"{RUBRIC.dimensions[0].name} {RUBRIC.levels[-1]}" in svg  # the latest, in words
    empty = str(trend_chart(RUBRIC, ()))
    assert 'class="point"' not in empty and "No self-assessment yet." in empty
