"""What ``make run`` loads for a first visit: the demo district and its demo team (issue 10, "On one laptop").

The demo team (examples/demo-team.yaml) escalates at once; its district
(examples/districts/demo.yaml) holds the same people with their email, so the
escalation's email reaches exactly the people it reached, in ``data/mail/``.
Both are loaded once: a restart finds them running.
"""

import asyncio
import time

from activities.event_store import EventStore
from app.config import ROOT
from app.files import load_district_file, load_team_file
from app.teams import CommandRefused
from app.wiring import Clients

DEMO_TEAM = ROOT / "examples" / "demo-team.yaml"
DEMO_DISTRICT = ROOT / "examples" / "districts" / "demo.yaml"


async def load_demo(clients: Clients) -> str:
    """Start the demo district, then the demo team; what the banner says about them."""
    start = load_district_file(DEMO_DISTRICT)
    try:
        await clients.districts.start(start)
    except CommandRefused:  # started by an earlier `make run` on this data folder
        pass
    register = load_team_file(DEMO_TEAM)
    handle = await clients.teams.start(register, if_exists="use")
    return f"{register.team.team_id} (workflow {handle.id}) in district {start.district.district_id}"


async def until_addresses_known(store: EventStore, timeout: float = 30.0) -> bool:
    """Wait until the projector knows the demo team's district and its people's addresses.

    The notifier parks a notice whose person has no address in a district it
    knows; started before the projector caught up, it could park the demo's
    first escalation. False if the read models did not catch up in time.
    """
    register, district = load_team_file(DEMO_TEAM), load_district_file(DEMO_DISTRICT).district
    wanted = sum(1 for p in district.people if p.email)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        team = await store.pool.fetchval("SELECT count(*) FROM team_status WHERE team_id = $1", register.team.team_id)
        known = await store.pool.fetchval("SELECT count(*) FROM person_emails WHERE district_id = $1", district.district_id)
        if team and known >= wanted:
            return True
        await asyncio.sleep(0.2)
    return False
