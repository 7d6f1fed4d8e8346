"""Who a team is: its people and where it sits in the district.

User ids name staff accounts (``m.garcia``), never students. Authorization is a
domain rule: members run the cycle, leaders pause it, only the approving
principal rules on recommendations (seed 002: the math team's recommendation
went to the principal).
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import NotAllowed
from ..limits import MAX_COALITION, MAX_TEAM_MEMBERS
from ..text import text

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
UserId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]


class TeamProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    team_id: Slug
    school_id: Slug
    district_id: Slug = "district"
    name: text(120)
    # A team is registered with a facilitator and members (RegisterTeam checks it); people leave
    # later, so a running team may have neither for a while: flagged to its principal (issue 9).
    facilitator: UserId | None
    members: Annotated[tuple[UserId, ...], Field(max_length=MAX_TEAM_MEMBERS)]
    principal: UserId
    coalition: Annotated[tuple[UserId, ...], Field(min_length=1, max_length=MAX_COALITION)]

    @model_validator(mode="after")
    def _distinct_members(self) -> "TeamProfile":
        if len(set(self.members)) != len(self.members):
            raise ValueError("members lists someone twice")
        return self

    @property
    def participants(self) -> frozenset[str]:
        """Who runs the cycle: the members and their facilitator (a principal may run a team of their own)."""
        return frozenset(self.members) | ({self.facilitator} - {None})

    @property
    def leaders(self) -> frozenset[str]:
        return frozenset({self.facilitator, self.principal} - {None})


def require_participant(team: TeamProfile, actor: str, doing: str) -> None:
    if actor not in team.participants:
        raise NotAllowed(f"Only members of {team.name} can {doing}; {actor} is not one.")


def require_leader(team: TeamProfile, actor: str, doing: str) -> None:
    if actor not in team.leaders:
        raise NotAllowed(f"Only the facilitator or the principal of {team.name} can {doing}; {actor} is neither.")


def require_principal(team: TeamProfile, actor: str, doing: str) -> None:
    if actor != team.principal:
        raise NotAllowed(f"Only {team.principal}, the approving principal of {team.name}, can {doing}.")


def require_roster_keeper(team: TeamProfile, actor: str) -> None:
    """Issue 9: the team's current principal changes who is on it (a district admin does so by changing the principal)."""
    if actor != team.principal:
        raise NotAllowed(f"Only {team.principal}, the principal of {team.name}, can change who is on it; {actor} is not.")
