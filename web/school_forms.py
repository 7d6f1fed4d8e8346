"""The school's commands as forms (issue 11, "Principal"): record and review a team's norms, answer a school
escalation, and the rubric self-assessment (seed 004).

As in ``web.actions``, each form posts the command's own fields and the command
model (``workflows.contracts.SCHOOL_UPDATES``) validates them; the domain then
decides. Errors come back keyed ``<form>-<field>`` so the page shows each next
to its field. A list of norms is typed one per line.
"""

from pydantic import ValidationError

from domain.rubric import Rubric
from domain.school.commands import SelfAssess
from workflows.contracts import SCHOOL_UPDATES

FORMS = {name: t for t, name in SCHOOL_UPDATES.items() if name in ("record_norms", "review_norms", "acknowledge", "snooze")}
LISTS = ("procedural", "conversational")  # RecordNorms' lists: one norm per line in a textarea
DONE = {"record_norms": "The team's norms are recorded.", "review_norms": "The team's norms review is recorded.",
        "acknowledge": "The escalation is acknowledged.", "snooze": "The escalation is snoozed.",
        "self_assess": "The self-assessment is recorded."}
ASSESS = "assess"  # the self-assessment form's key; a level per dimension is ``rating-<dimension id>``


def form_key(action: str, fields: dict) -> str:
    """Which form on the page: one per team (norms) or per escalation (its answers)."""
    if action in ("record_norms", "review_norms"):
        return f"{action}-{fields.get('team_id', '')}"
    return f"answer-{fields.get('escalation_id', '')}"  # acknowledge and snooze: one form, two buttons


def _message(e: dict) -> str:
    if e["type"] == "too_short" and e["loc"] and e["loc"][0] in LISTS:
        return "Write at least one norm, one per line."
    if e["loc"] and e["loc"][0] == "until" and e["type"].startswith("date"):
        return "Choose the day the snooze ends."
    return e["msg"].removeprefix("Value error, ")


def command_from(action: str, actor: str, form) -> tuple[object | None, dict[str, list[str]], dict[str, str], str]:
    """The command a form holds, or its errors by field; what was typed, to show it again; the form's key."""
    fields = {k: v.strip() for k, v in form.items() if k != "csrf" and isinstance(v, str)}
    key = form_key(action, fields)
    values = {f"{key}-{k}": v for k, v in fields.items()}
    if action == "acknowledge":
        fields.pop("until", None)  # the snooze button's date, in the same form
    data = {k: tuple(line.strip() for line in v.splitlines() if line.strip()) if k in LISTS else v for k, v in fields.items()}
    try:
        return FORMS[action].model_validate({**data, "actor": actor}), {}, values, key
    except ValidationError as err:
        errors: dict[str, list[str]] = {}
        for e in err.errors():
            field = e["loc"][0] if e["loc"] and e["loc"][0] in fields else "form"
            errors.setdefault(f"{key}-{field}", []).append(_message(e))
        return None, errors, values, key


def self_assessment(actor: str, form, rubric: Rubric) -> tuple[SelfAssess | None, dict[str, list[str]], dict[str, str]]:
    """A level for every dimension of the district's rubric, each chosen from its levels; a missing one is an
    error next to that dimension, so nothing is sent (the domain would refuse it too, in one sentence)."""
    ratings = {d.id: form.get(f"rating-{d.id}", "").strip() for d in rubric.dimensions}
    values = {f"rating-{k}": v for k, v in ratings.items()}
    errors = {f"rating-{d.id}": [f"Choose a level for {d.name}."] for d in rubric.dimensions if ratings[d.id] not in rubric.levels}
    if errors:
        return None, errors, values
    try:
        return SelfAssess(actor=actor, ratings=ratings), {}, values
    except ValidationError as err:
        return None, {f"{ASSESS}-form": [_message(e) for e in err.errors()]}, values
