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
from domain.commands import RegisterTeam
from domain.errors import InvalidConfiguration
from domain.policy import EscalationPolicy
from domain.team import TeamProfile, UserId
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
    return RegisterTeam(actor=parsed.registered_by, team=parsed.team, calendar=parsed.calendar, policy=parsed.escalation)
