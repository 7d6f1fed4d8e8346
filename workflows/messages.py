"""The team workflow's own message types (inputs, results) beyond the domain commands.

Each Update takes a domain command model as its input, so a client builds and
validates exactly what the domain will decide on.
"""

from pydantic import BaseModel, ConfigDict, Field

from domain.team.commands import RegisterTeam
from domain.team.events import TeamEvent
from domain.team.state import TeamState


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TeamWorkflowInput(_Message):
    """Either a registration (first run) or the folded state carried through continue-as-new."""

    registration: RegisterTeam | None = None
    state: TeamState | None = None
    # Update ids already applied, carried across runs: Temporal deduplicates
    # update ids only within one run, and a client may retry after a
    # continue-as-new.
    applied_updates: dict[str, int] = Field(default_factory=dict)
    # A team lives for years: a fresh run starts after every closed cycle, and
    # after this many history events if a cycle drags on (well under
    # Temporal's 51,200 limit and its 4,096-event suggestion).
    history_limit: int = Field(default=4_000, ge=20)


class CommandResult(_Message):
    version: int
    events: list[TeamEvent]
    duplicate: bool = False


class TeamStatus(_Message):
    state: TeamState
    persisted_version: int
    run_started_cycles_closed: int

