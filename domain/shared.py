"""One instance per distinct value of a frozen model, shared by every workflow that carries it.

Issue 13 (worker memory per cached team): every team of a district carries the
same calendar and escalation policy, and each team the worker decoded (every
start, every replay, every continue-as-new) kept its own copy: about 4.3 KB of
a cached team's own objects, measured object by object. Shared here by value,
so 1,500 teams of one district hold one calendar and one policy.

Only for frozen models the domain never edits in place (it replaces them:
``model_copy``, a new event), so no team can change what another one sees.
Pure: no I/O, no clock; the same value in, an equal value out.
"""

from functools import lru_cache
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# Distinct values kept at once (a state agency's districts, each a calendar and a policy or two); past it
# the least recently decoded is dropped from the cache, never from a team that holds it.
SHARED_VALUES_KEPT = 1024


@lru_cache(maxsize=SHARED_VALUES_KEPT)
def _canonical(model_type: type[BaseModel], encoded: str) -> BaseModel:
    return model_type.model_validate_json(encoded)


def shared(value: M) -> M:
    """The process's one instance equal to ``value``: built once per distinct value from its JSON, so it
    is equal to ``value`` by construction (checked: a value that does not round-trip stays unshared).
    ``lru_cache`` is thread-safe, and the worker runs workflow tasks on several threads."""
    model_type = type(value)
    if not model_type.model_config.get("frozen"):
        raise TypeError(f"{model_type.__name__} is not frozen; only immutable values are shared")
    canonical = _canonical(model_type, value.model_dump_json())
    return canonical if canonical == value else value  # type: ignore[return-value]

