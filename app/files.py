"""Reading a team file (YAML) into a registration, with every mistake listed at once.

A team file names the team, its people and its calendar (inline, or a path
relative to the team file); an optional ``escalation`` block overrides the
policy's defaults. Problems carry their path in the file (``team.members[2]``,
``calendar.closed[0].start``), so an admin fixes the file in one pass.
"""

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import SchoolCalendar
from domain.team.commands import RegisterTeam
from domain.district import District, Draft, Role, check_references, department_problems
from domain.errors import InvalidConfiguration
from domain.team.policy import EscalationPolicy
from domain.rollout.commands import StartRollout
from domain.rollout.policy import RolloutPolicy
from domain.rubric import Rubric
from domain.school.policy import SchoolPolicy
from domain.team.profile import TeamProfile, UserId
from domain.validation import parse_model


class TeamFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: TeamProfile
    calendar: SchoolCalendar
    escalation: EscalationPolicy = Field(default_factory=EscalationPolicy)
    registered_by: UserId = "district.admin"


def read_yaml(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidConfiguration(what, [f"{path}: no such file"]) from None
    except yaml.YAMLError as err:
        raise InvalidConfiguration(what, [f"{path}: not valid YAML ({err})"]) from None


def load_team_file(path: Path) -> RegisterTeam:
    data = read_yaml(path, f"team file {path}")
    if not isinstance(data, dict):
        raise InvalidConfiguration(f"team file {path}", ["the file must hold a mapping with team: and calendar:"])
    if isinstance(data.get("calendar"), str):
        data = {**data, "calendar": read_yaml(path.parent / data["calendar"], f"calendar {data['calendar']}")}
    parsed = parse_model(TeamFile, data, f"team file {path}")
    # The admin who writes a standalone team's file is its district admin: they may publish its calendar (issue 9).
    return RegisterTeam(actor=parsed.registered_by, team=parsed.team, calendar=parsed.calendar, policy=parsed.escalation,
                        district_admins=(parsed.registered_by,))


class DistrictFile(BaseModel):
    """A district file: who the district is, its calendar and rubric, and the pace of each clock."""

    model_config = ConfigDict(extra="forbid")

    registered_by: UserId
    district: District
    calendar: SchoolCalendar
    rubric: Rubric
    rollout: RolloutPolicy = Field(default_factory=RolloutPolicy)
    schools: SchoolPolicy = Field(default_factory=SchoolPolicy)
    teams: EscalationPolicy = Field(default_factory=EscalationPolicy)


def _inline(data: dict, key: str, base: Path) -> dict:
    """A section may be a path relative to the file; read it in place."""
    if isinstance(data.get(key), str):
        return {**data, key: read_yaml(base / data[key], f"{key} {data[key]}")}
    return data


def load_district_file(path: Path) -> StartRollout:
    """Every mistake at once, each with its path: each section's shape, and every
    cross-reference whose inputs parse, even where other entries have mistakes of their own."""
    what = f"district file {path}"
    data = read_yaml(path, what)
    if isinstance(data, dict):
        for key in ("calendar", "rubric"):
            data = _inline(data, key, path.parent)
    return parse_district(data, what)


def parse_district(data: Any, what: str = "district file") -> StartRollout:
    """A district file's content (calendar and rubric inline), as the HTTP API receives it.

    Every mistake whose inputs parse is reported together (issue 8, defect 6): a
    shape mistake in one school does not hide a missing union leader elsewhere.
    """
    if not isinstance(data, dict):
        raise InvalidConfiguration(what, ["the file must hold a mapping with district:, calendar: and rubric:"])
    try:
        parsed = parse_model(DistrictFile, data, what)
    except InvalidConfiguration as shape:
        draft = Draft.from_raw(data.get("district"))
        problems = list(shape.problems)
        if draft is not None:
            problems += [p for p in _references(draft, data.get("registered_by")) if p not in problems]
        raise InvalidConfiguration(what, problems) from None
    problems = _references(Draft.of(parsed.district), parsed.registered_by)
    if problems:
        raise InvalidConfiguration(what, problems)
    return StartRollout(
        actor=parsed.registered_by, district=parsed.district, calendar=parsed.calendar, rubric=parsed.rubric,
        policy=parsed.rollout, school_policy=parsed.schools, team_policy=parsed.teams,
    )


def _references(draft: Draft, registered_by: Any) -> list[str]:
    problems = [f"district.{p}" for p in check_references(draft) + department_problems(draft)]
    if isinstance(registered_by, str) and draft.knows_person(registered_by) is not None:
        admin = draft.person(registered_by)
        if admin is None or Role.DISTRICT_ADMIN not in admin.roles:
            problems.append(f"registered_by: {registered_by!r} is not a district admin")
    return problems
