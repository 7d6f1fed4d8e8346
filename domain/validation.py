"""Readable validation problems: every mistake at once, each with its path in the file.

A district admin edits YAML by hand; a list of "where: what" lines they can fix
in one pass beats a stack trace or the first error alone.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .errors import InvalidConfiguration

M = TypeVar("M", bound=BaseModel)

# Our own rule violations: the message already quotes the values involved.
RULE = "plcflow_rule"
_NO_INPUT_ECHO = {RULE, "missing", "extra_forbidden"}


def _path(loc: tuple) -> str:
    """('closed', 3, 'start') -> 'closed[3].start'; union/validator tags are dropped."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-") and "[" not in str(part):
            out += f".{part}" if out else str(part)
    return out


def _echo(value: Any) -> str:
    if isinstance(value, (str, int, float, bool)) or value is None:
        text = repr(value)
        return f" (got {text[:60]}...)" if len(text) > 60 else f" (got {text})"
    return ""


def describe_errors(exc: ValidationError) -> list[str]:
    """One line per pydantic error, prefixed with its path (dotted names, [i] for list items)."""
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch":
            msg = f"{err['input']!r} is not a valid id: use lowercase letters, digits and dashes (user ids may also use . and _)"
        elif err["type"] not in _NO_INPUT_ECHO and err["type"] != "value_error":
            msg += _echo(err.get("input"))
        where = _path(tuple(err["loc"]))
        lines.append(f"{where}: {msg}" if where else msg)
    return lines


def rule_violations(title: str, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> ValidationError:
    """A ValidationError carrying (location, message, input) problems found by a model validator.

    Raised from inside a validator, pydantic keeps each location and prefixes it
    with the enclosing path, so a nested calendar reports ``calendar.closed[3].start``.
    """
    details = [
        InitErrorDetails(type=PydanticCustomError(RULE, "{problem}", {"problem": message}), loc=loc, input=value)
        for loc, message, value in problems
    ]
    return ValidationError.from_exception_data(title, details)


def parse_model(model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` as ``model``, or raise InvalidConfiguration listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidConfiguration(what, describe_errors(exc)) from None
