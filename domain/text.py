"""Free text people type: stripped, and never blank.

Issue 8, defect 9: a reason made only of spaces was accepted and stored. Every
free-text field of every command is a ``text(max_length)`` (reasons are
``Reason``), so surrounding spaces are dropped and a blank one is refused with
the same words everywhere.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

BLANK = "must not be blank"


def _not_blank(value: Any) -> Any:
    # Before the length limits, so "   " reads "must not be blank", not "at least 3 characters".
    if isinstance(value, str) and not value.strip():
        raise ValueError(BLANK)
    return value


def text(max_length: int, min_length: int = 1) -> Any:
    """Free text of at most ``max_length`` characters once stripped (``min_length`` for reasons).

    The limits sit inside the string schema (not a ``Field`` on top) so pydantic
    words them for strings: "at least 3 characters".
    """
    constraints = StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)
    return Annotated[str, constraints, BeforeValidator(_not_blank)]


Reason = text(500, min_length=3)


def folded(value: str) -> str:
    """How a name compares with the one it should match: case and spacing do not count ("Fall " is "fall")."""
    return " ".join(value.split()).casefold()
