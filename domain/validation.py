"""Readable validation problems: every mistake at once, each with its path in the file."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidConfiguration

M = TypeVar("M", bound=BaseModel)


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-") and "[" not in str(part):
            out += f".{part}" if out else str(part)
    return out


def describe_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch":
            msg = f"{err['input']!r} is not a valid id: use lowercase letters, digits and dashes (user ids may also use . and _)"
        where = _path(tuple(err["loc"]))
        lines.append(f"{where}: {msg}" if where else msg)
    return lines


def parse_model(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidConfiguration(what, describe_errors(exc)) from None
