"""Who is on each team now, and when its policy reminds them: the read models reminders need (issue 10).

``team_members`` follows TeamRegistered and the roster events of issue 9
(MemberAdded, MemberRemoved, MemberReplaced); a person who leaves the district
(PersonLeft) is taken off every team of it at once, so no reminder is written
for them while the team's own MemberRemoved is on its way. ``team_reminder_days``
is the team policy's ``remind_school_days_before_due``. Handlers for
``activities.projections``: pure functions of the event and the read models.
"""

from domain.team.policy import DEFAULT_REMINDERS

_ADD = """INSERT INTO team_members (team_id, district_id, person_id)
          SELECT $1, district_id, $2 FROM team_status WHERE team_id = $1
          ON CONFLICT (team_id, person_id) DO NOTHING"""
_REMOVE = "DELETE FROM team_members WHERE team_id = $1 AND person_id = $2"


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


async def registered(conn, team: dict, policy: dict) -> None:
    """A team's first members and reminder days; a policy recorded before reminders existed has the default."""
    await conn.executemany(_ADD, [(team["team_id"], m) for m in team["members"]])
    days = policy.get("remind_school_days_before_due", list(DEFAULT_REMINDERS))
    await conn.execute("INSERT INTO team_reminder_days (team_id, days) VALUES ($1, $2) ON CONFLICT (team_id) DO NOTHING",
                       team["team_id"], days)


async def member_added(conn, stream, d):
    await conn.execute(_ADD, _team_id(stream), d["member"])


async def member_removed(conn, stream, d):
    await conn.execute(_REMOVE, _team_id(stream), d["member"])


async def member_replaced(conn, stream, d):
    await conn.execute(_REMOVE, _team_id(stream), d["leaving"])
    await conn.execute(_ADD, _team_id(stream), d["joining"])


async def person_left(conn, district_id: str, person_id: str) -> None:
    await conn.execute("DELETE FROM team_members WHERE district_id = $1 AND person_id = $2", district_id, person_id)
