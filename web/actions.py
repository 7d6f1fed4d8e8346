"""The team's other commands as small forms (issue 11): revisit with a reason, record a decision or a
recommendation, approve or reject one, acknowledge or snooze an escalation, pause or resume the team.

Each form posts the command's own fields; the command model (the API's, from
``workflows.contracts.TEAM_UPDATES``) validates them and the domain decides.
Errors come back keyed ``<form>-<field>`` so the page puts each next to its field.
"""

from pydantic import ValidationError

from workflows.contracts import TEAM_UPDATES

FORMS = {name: t for t, name in TEAM_UPDATES.items() if name in ("revisit", "decide", "approve", "reject", "acknowledge", "snooze", "pause", "resume")}
DONE = {"revisit": "The team went back to an earlier step.", "decide": "The decision is recorded.",
        "approve": "The recommendation is approved.", "reject": "The recommendation is rejected.",
        "acknowledge": "The escalation is acknowledged.", "snooze": "The escalation is snoozed.",
        "pause": "The team is paused: its step's clock stops until it resumes.",
        "resume": "The team resumed: its due date moved by the school days it was paused."}


def form_key(action: str, fields: dict) -> str:
    """Which form on the page: a ruling's form is its recommendation's (one page may list several)."""
    return f"rule-{fields.get('recommendation_id', '')}" if action in ("approve", "reject") else action


def command_from(action: str, actor: str, form) -> tuple[object | None, dict[str, list[str]], dict[str, str]]:
    """The command a form holds, or its errors by field; and what was typed, to show it again."""
    fields = {k: v.strip() for k, v in form.items() if k != "csrf" and isinstance(v, str)}
    key = form_key(action, fields)
    values = {f"{key}-{k}": v for k, v in fields.items()}
    try:
        return FORMS[action].model_validate({**fields, "actor": actor}), {}, values
    except ValidationError as err:
        errors: dict[str, list[str]] = {}
        for e in err.errors():
            field = e["loc"][0] if e["loc"] and e["loc"][0] in fields else "form"
            errors.setdefault(f"{key}-{field}", []).append(e["msg"].removeprefix("Value error, "))
        return None, errors, values
