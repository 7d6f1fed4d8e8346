"""What the API's routers act through: the clients and stores one process builds (api/server.py, tests)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from activities.event_store import EventStore
from activities.read_models import ReadModels
from activities.tokens import TokenStore
from app.districts import DistrictClient
from app.teams import TeamClient


@dataclass
class Runtime:
    teams: TeamClient
    districts: DistrictClient
    reads: ReadModels
    tokens: TokenStore
    health: Callable[[bool], Awaitable] | None = None  # app.health.run_checks bound to this process's clients
    events: EventStore | None = None  # the event log, for a team's history on its web page (issue 11)
