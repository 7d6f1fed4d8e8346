"""A plan to try: the district file's policies with a few numbers changed, and when the waves launch.

A policy file (``--policy``, ``--compare``) names only what it changes, in the
district file's own sections (``teams``, ``schools``, ``rollout``), so
``teams: {due_school_days: {implement: 7}}`` is a whole plan. Its numbers are
checked by the same policy models the district file is (a mistake is an
``InvalidConfiguration`` listing every problem).
"""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import SchoolYear
from domain.errors import InvalidConfiguration
from domain.rollout.commands import StartRollout
from domain.rollout.policy import RolloutPolicy
from domain.school.policy import SchoolPolicy
from domain.team.policy import EscalationPolicy
from domain.validation import parse_model

SECTIONS = {"teams": ("team_policy", EscalationPolicy), "schools": ("school_policy", SchoolPolicy),
            "rollout": ("policy", RolloutPolicy)}


class Plan(BaseModel):
    """What is planned: policy changes, and the school day of the year each wave launches on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=80)] = "as the district file says"
    teams: dict[str, Any] = Field(default_factory=dict)
    schools: dict[str, Any] = Field(default_factory=dict)
    rollout: dict[str, Any] = Field(default_factory=dict)
    pilot_wave_school_day: Annotated[int, Field(ge=1, le=200)] = 5
    schoolwide_wave_school_day: Annotated[int, Field(ge=2, le=200)] = 30


def parse_plan(data: Any, where: str) -> Plan:
    if data is None:
        data = {}
    return parse_model(Plan, data, where)


def _merged(base: dict, change: dict) -> dict:
    out = dict(base)
    for k, v in change.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def apply_plan(start: StartRollout, plan: Plan, where: str = "policy file") -> StartRollout:
    """The district's start with the plan's changes merged into its policies (deep: only the keys named change)."""
    update = {}
    for section, (field, model) in SECTIONS.items():
        change = getattr(plan, section)
        if change:
            base = getattr(start, field).model_dump(mode="json")
            update[field] = parse_model(model, _merged(base, change), f"{where}, {section}")
    return start.model_copy(update=update)


def school_year(start: StartRollout, name: str | None, today: date | None = None) -> SchoolYear:
    """The year to simulate: the one named, else the first that has not ended by ``today`` (the first, without one)."""
    years = start.calendar.school_years
    if name is not None:
        found = next((y for y in years if y.name == name), None)
        if found is None:
            raise InvalidConfiguration("--year", [f"the calendar has no school year {name!r}; it has {', '.join(y.name for y in years)}"])
        return found
    return next((y for y in years if today is None or y.end >= today), years[-1])


def school_years(start: StartRollout, name: str | None, today: date | None = None, count: int = 1) -> tuple[SchoolYear, ...]:
    """``count`` consecutive school years from the one ``school_year`` picks; the calendar must hold them all."""
    first = school_year(start, name, today)
    years = start.calendar.school_years
    i = years.index(first)
    if i + count > len(years):
        raise InvalidConfiguration("--years", [f"the calendar holds {len(years) - i} school year(s) from {first.name}, "
                                               f"not {count}; publish the later years' calendar first"])
    return tuple(years[i:i + count])


def start_of(state) -> StartRollout:
    """A running rollout's district as it stands now (its people, calendar and policies), started again on paper:
    what the API simulates next year from, without touching the rollout itself."""
    return StartRollout(actor=state.district.admins[0], district=state.district, calendar=state.calendar, rubric=state.rubric,
                        policy=state.policy, school_policy=state.school_policy, team_policy=state.team_policy)
