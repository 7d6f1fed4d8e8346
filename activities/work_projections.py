"""Read models of what a person owes (issue 11, "My work"): who is on which team, and the
recommendations waiting for a principal. Applied by the projector like every projection
(``activities.projections``), so a rebuild from the log gives the same rows."""

from datetime import datetime

READ_MODELS = ("team_people", "pending_recommendations")


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


async def _people(conn, team_id: str, *, joining=(), leaving=()) -> None:
    await conn.executemany("DELETE FROM team_people WHERE team_id = $1 AND person_id = $2 AND role = $3",
                           [(team_id, p, r) for p, r in leaving if p])
    await conn.executemany("INSERT INTO team_people (team_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                           [(team_id, p, r) for p, r in joining if p])


async def team_registered(conn, team: dict) -> None:
    people = [(p, "member") for p in team["members"]] + [(team["facilitator"], "facilitator"), (team["principal"], "principal")]
    await _people(conn, team["team_id"], joining=people)


async def team_retired(conn, team_id: str) -> None:
    # A retired team owes nothing: its rows in team_people stay (its history says who was on it).
    await conn.execute("DELETE FROM pending_recommendations WHERE team_id = $1", team_id)


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


async def _recommended(conn, stream, d):
    await conn.execute(
        """INSERT INTO pending_recommendations (team_id, recommendation_id, summary, proposed_by, proposed_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        _team_id(stream), d["recommendation_id"], d["summary"], d["by"], datetime.fromisoformat(d["at"]),
    )


async def _ruled(conn, stream, d):
    await conn.execute("DELETE FROM pending_recommendations WHERE team_id = $1 AND recommendation_id = $2",
                       _team_id(stream), d["recommendation_id"])


HANDLERS = {
    "MemberAdded": _member_added,
    "MemberRemoved": _member_removed,
    "MemberReplaced": _member_replaced,
    "FacilitatorChanged": _facilitator_changed,
    "PrincipalChanged": _principal_changed,
    "RecommendationProposed": _recommended,
    "RecommendationApproved": _ruled,
    "RecommendationRejected": _ruled,
}
