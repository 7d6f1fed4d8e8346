"""The rollout's commands as forms (issue 11, "District admin": the form for each phase's commands).

Each form posts its command's own fields (the API's models, named as in
``workflows.contracts.DISTRICT_UPDATES``); the command model validates them and
the decider decides. A list is typed one item per line, and a glossary one
"term: meaning" per line, since a district admin writes them that way on paper.
Errors come back keyed ``<form>-<field>`` so the page puts each next to its field.
"""

from dataclasses import dataclass

from pydantic import ValidationError

from domain.rollout import commands as c
from domain.rollout.phases import Phase
from workflows.contracts import DISTRICT_UPDATES

ONE_PER_LINE = "One per line."


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date; lines (a list, one per line); glossary ("term: meaning" lines); a choice list
    hint: str | None = None
    choices: str | None = None  # which choices the page offers: kinds, wave_kinds, terms, unaligned, unreviewed schools


@dataclass(frozen=True)
class DistrictForm:
    command: type
    title: str
    phase: Phase | None  # the phase whose work it is (None: the open phase's gate, always shown)
    inputs: tuple[Input, ...]
    button: str
    done: str

    @property
    def action(self) -> str:
        return DISTRICT_UPDATES[self.command]


FORMS = (
    DistrictForm(c.SeatCoalition, "Seat the guiding coalition", Phase.FORM_COALITION,
                 (Input("members", "Members (user ids)", "lines",
                        f"{ONE_PER_LINE} Seating again replaces the whole coalition, so list everyone."),),
                 "Seat the coalition", "The guiding coalition is seated."),
    DistrictForm(c.RecordInquiryActivity, "Record a collective-inquiry activity", Phase.BUILD_SHARED_KNOWLEDGE,
                 (Input("kind", "Kind of activity", choices="kinds"), Input("title", "Title"),
                  Input("held_on", "Held on", "date")),
                 "Record the activity", "The activity is recorded."),
    DistrictForm(c.AdoptGlossary, "Adopt the common glossary", Phase.BUILD_SHARED_KNOWLEDGE,
                 (Input("terms", "Terms", "glossary", "One term per line, as “term: meaning”."),),
                 "Adopt the glossary", "The glossary is adopted."),
    DistrictForm(c.SetNonNegotiables, "Set the district's non-negotiables", Phase.BUILD_SHARED_KNOWLEDGE,
                 (Input("items", "Non-negotiables", "lines", ONE_PER_LINE),),
                 "Set the non-negotiables", "The non-negotiables are set."),
    DistrictForm(c.AlignMissionAndVision, "Mark a school's mission and vision aligned", Phase.BUILD_SHARED_KNOWLEDGE,
                 (Input("school_id", "School", choices="unaligned"),),
                 "Mark it aligned", "The school's mission and vision are marked aligned."),
    DistrictForm(c.AddLearningSession, "Add a learning session", Phase.PLAN_LEARNING,
                 (Input("term", "Term", choices="terms"), Input("topic", "Topic"), Input("held_on", "Held on", "date")),
                 "Add the session", "The learning session is added."),
    DistrictForm(c.RecordDistrictNorms, "Record the district office's norms", Phase.MODEL_THE_WORK,
                 (Input("norms", "Norms", "lines", ONE_PER_LINE),
                  Input("violation_process", "What happens when a norm is broken", "textarea")),
                 "Record the norms", "The district office's norms are recorded."),
    DistrictForm(c.ScheduleWave, "Schedule a launch wave", Phase.LAUNCH_WAVES,
                 (Input("kind", "Kind of wave", choices="wave_kinds"), Input("launch_on", "Launches on", "date"),
                  Input("school_ids", "Schools (school ids)", "lines", ONE_PER_LINE),
                  Input("pilot_team_ids", "Pilot teams (team ids, a pilot wave only)", "lines",
                        f"{ONE_PER_LINE} Leave empty for a schoolwide wave.")),
                 "Schedule the wave", "The wave is scheduled."),
    DistrictForm(c.ReviewSchool, "Review and celebrate a school", Phase.SUSTAIN,
                 (Input("school_id", "School", choices="unreviewed"), Input("celebration", "What the school celebrates", "textarea")),
                 "Record the review", "The school's review is recorded."),
    DistrictForm(c.CompletePhase, "Pass the gate", None, (), "Complete this phase", "The phase is complete."),
    DistrictForm(c.AcknowledgeRolloutEscalation, "Acknowledge", None,
                 (Input("reason", "Why you acknowledge it", "textarea"),), "Acknowledge", "The escalation is acknowledged."),
    DistrictForm(c.SnoozeRolloutEscalation, "Snooze", None,
                 (Input("until", "Snooze until", "date"), Input("reason", "Why you snooze it", "textarea")),
                 "Snooze", "The escalation is snoozed."),
)
BY_ACTION = {f.action: f for f in FORMS}
ESCALATION_ACTIONS = ("acknowledge", "snooze")
CHOICES = {
    "kinds": [("book_study", "A book study"), ("institute", "An institute"),
              ("model_school_visit", "A visit to a model school"), ("other", "Something else")],
    "wave_kinds": [("pilot", "Pilot (the first wave: volunteer teams)"), ("schoolwide", "Schoolwide")],
}


# Pydantic's sentences where a form says it better (its own sentences are kept for everything else).
FRIENDLIER = {"missing": "This is required.", "too_short": "Write at least one, one per line."}


def form_key(action: str, fields: dict) -> str:
    """Which form on the page: an escalation's forms are its own (the phase's and the calendar-end one may both be open)."""
    return f"{action}-{fields.get('escalation_id', '')}" if action in ESCALATION_ACTIONS else action


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _glossary(raw: str) -> tuple[dict[str, str], list[str]]:
    terms, errors = {}, []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        term, sep, meaning = line.partition(":")
        if not sep or not term.strip() or not meaning.strip():
            errors.append(f"line {n}: write each term as “term: meaning”")
        else:
            terms[term.strip()] = meaning.strip()
    return terms, errors


def command_from(action: str, actor: str, form) -> tuple[object | None, dict[str, list[str]], dict[str, str]]:
    """The command a form holds, or its errors by field; and what was typed, to show it again."""
    spec = BY_ACTION[action]
    raw = {k: v.strip() for k, v in form.items() if k != "csrf" and isinstance(v, str)}
    key = form_key(action, raw)
    values = {f"{key}-{k}": v for k, v in raw.items()}
    kinds = {i.name: i.kind for i in spec.inputs}
    fields: dict[str, object] = dict(raw)
    errors: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        if kind == "lines":
            fields[name] = _lines(raw.get(name, ""))
        elif kind == "glossary":
            fields[name], bad = _glossary(raw.get(name, ""))
            if bad:
                errors[f"{key}-{name}"] = bad
    try:
        command = spec.command.model_validate({**fields, "actor": actor})
    except ValidationError as err:
        for e in err.errors():
            loc = e["loc"]
            field = loc[0] if loc and loc[0] in raw or (loc and loc[0] in kinds) else "form"
            where = f"line {loc[1] + 1}: " if len(loc) > 1 and isinstance(loc[1], int) and kinds.get(field) == "lines" else ""
            message = e["msg"].removeprefix("Value error, ")
            message = FRIENDLIER.get(e["type"], message)
            if e["type"] == "string_pattern_mismatch":
                message = f"{e['input']!r} is not an id: use lowercase letters, digits and dashes (user ids may also use . and _)"
            elif e["type"].startswith("date_"):
                message = "Enter a date."
            errors.setdefault(f"{key}-{field}", []).append(where + message)
        return None, errors, values
    return (None, errors, values) if errors else (command, {}, values)
