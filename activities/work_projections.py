"""Read models of what a person owes (issue 11, "My work"): the recommendations waiting for a
principal. Who is on which team is ``team_people`` (``activities.team_rosters``). Applied by the
projector like every projection (``activities.projections``), so a rebuild from the log gives the
same rows."""

from datetime import datetime

READ_MODELS = ("pending_recommendations",)


def _team_id(stream: str) -> str:
    return stream.removeprefix("team-")


async def team_retired(conn, team_id: str) -> None:
    # A retired team owes nothing (its rows in team_people stay: its history says who was on it).
    await conn.execute("DELETE FROM pending_recommendations WHERE team_id = $1", team_id)


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
    "RecommendationProposed": _recommended,
    "RecommendationApproved": _ruled,
    "RecommendationRejected": _ruled,
}
