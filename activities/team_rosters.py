"""Who is on each team now, with their role there, and when its policy reminds them (issues 10 and 11).

``team_people`` (team, person, role: member, facilitator or principal) is the one
read model of a team's people: the web app's "My work" finds a person's teams in
it, the notifier's reminders go to its members, and a notice for someone without
an address climbs to its facilitator and principal. It follows TeamRegistered and
the roster events of issue 9 (MemberAdded, MemberRemoved, MemberReplaced,
FacilitatorChanged, PrincipalChanged); a person who leaves the district
(PersonLeft) is taken off every team of it at once, in every role, so no notice is
written for them while the team's own MemberRemoved is on its way. A retired
team's rows stay (its history says who was on it; readers skip retired teams).
``team_reminder_days`` is the team policy's ``remind_school_days_before_due``.
Handlers for ``activities.projections``: pure functions of the event and the read
models. Migration 0018 made this one table of the two issues 10 and 11 had added.
"""

from domain.team.policy import DEFAULT_REMINDERS

READ_MODELS = ("team_people", "team_reminder_days")


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


async def _people(conn, team_id: str, *, joining=(), leaving=()) -> None:
    await conn.executemany("DELETE FROM team_people WHERE team_id = $1 AND person_id = $2 AND role = $3",
                           [(team_id, p, r) for p, r in leaving if p])
    await conn.executemany("INSERT INTO team_people (team_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                           [(team_id, p, r) for p, r in joining if p])


async def registered(conn, team: dict, policy: dict) -> None:
    """A team's first people and reminder days; a policy recorded before reminders existed has the default."""
    people = [(p, "member") for p in team["members"]] + [(team["facilitator"], "facilitator"), (team["principal"], "principal")]
    await _people(conn, team["team_id"], joining=people)
    days = policy.get("remind_school_days_before_due", list(DEFAULT_REMINDERS))
    await conn.execute("INSERT INTO team_reminder_days (team_id, days) VALUES ($1, $2) ON CONFLICT (team_id) DO NOTHING",
                       team["team_id"], days)


async def person_left(conn, district_id: str, person_id: str) -> None:
    await conn.execute("""DELETE FROM team_people p USING team_status t
                           WHERE t.team_id = p.team_id AND t.district_id = $1 AND p.person_id = $2""",
                       district_id, person_id)


async def _member_added(conn, stream, d):
    await _people(conn, _team_id(stream), joining=[(d["member"], "member")])


async def _member_removed(conn, stream, d):
    await _people(conn, _team_id(stream), leaving=[(d["member"], "member")])


async def _member_replaced(conn, stream, d):
    await _people(conn, _team_id(stream), leaving=[(d["leaving"], "member")], joining=[(d["joining"], "member")])


async def _facilitator_changed(conn, stream, d):
    await _people(conn, _team_id(stream), leaving=[(d["was"], "facilitator")], joining=[(d["facilitator"], "facilitator")])


async def _principal_changed(conn, stream, d):
    await _people(conn, _team_id(stream), leaving=[(d["was"], "principal")], joining=[(d["principal"], "principal")])


HANDLERS = {
    "MemberAdded": _member_added,
    "MemberRemoved": _member_removed,
    "MemberReplaced": _member_replaced,
    "FacilitatorChanged": _facilitator_changed,
    "PrincipalChanged": _principal_changed,
}
