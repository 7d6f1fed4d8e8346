"""The read models digests are made from (issue 10; migration 0015): preferences, roles, resolved escalations.

Called from ``activities.projections`` (its ``HANDLERS`` and a few of its
handlers), with the same contract: a pure function of the connection, the
stream id and the event's data, so a rebuild from the log gives the same rows.
"""

from datetime import datetime

READ_MODELS = ("notice_preferences", "person_roles", "resolved_escalations")


def _district(stream: str) -> str:
    return stream.removeprefix("district-")


async def person_roles(conn, district_id: str, people: list[dict]) -> None:
    """Who each person is now: roles, school and a supervisor's schools (issue 11, migration 0020); a coalition
    seat is kept across a change of roles."""
    await conn.executemany(
        """INSERT INTO person_roles (district_id, person_id, roles, school_id, supervises) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (district_id, person_id) DO UPDATE SET roles = excluded.roles, school_id = excluded.school_id,
                                                              supervises = excluded.supervises""",
        [(district_id, p["id"], list(p["roles"]), p.get("school"), list(p.get("supervises", ()))) for p in people])


async def person_gone(conn, district_id: str, person_id: str) -> None:
    await conn.execute("DELETE FROM person_roles WHERE district_id = $1 AND person_id = $2", district_id, person_id)


async def keep_resolved(conn, escalation_id: str, at: str) -> None:
    """Before an open escalation's row goes: what it was, and when it was resolved."""
    await conn.execute(
        """INSERT INTO resolved_escalations (escalation_id, kind, stream_id, team_id, school_id, district_id, subject, level,
                                             reached, reason, resolved_at)
           SELECT escalation_id, kind, stream_id, team_id, school_id, district_id, subject, level, reached, reason, $2
             FROM open_escalations WHERE escalation_id = $1
           ON CONFLICT (escalation_id) DO UPDATE SET level = excluded.level, reached = excluded.reached,
               reason = excluded.reason, resolved_at = excluded.resolved_at""",
        escalation_id, datetime.fromisoformat(at))


async def _coalition_seated(conn, stream, d):
    await conn.execute("UPDATE person_roles SET coalition = (person_id = ANY($2::text[])) WHERE district_id = $1",
                       _district(stream), list(d["members"]))


async def _member_seated(conn, stream, d):
    await conn.execute("UPDATE person_roles SET coalition = true WHERE district_id = $1 AND person_id = $2",
                       _district(stream), d["member"])


async def _member_unseated(conn, stream, d):
    await conn.execute("UPDATE person_roles SET coalition = false WHERE district_id = $1 AND person_id = $2",
                       _district(stream), d["member"])


async def _preference_set(conn, stream, d):
    await conn.execute(
        """INSERT INTO notice_preferences (district_id, person_id, delivery, digest) VALUES ($1, $2, $3, $4)
           ON CONFLICT (district_id, person_id) DO UPDATE SET delivery = excluded.delivery, digest = excluded.digest""",
        _district(stream), d["person_id"], d["delivery"], d["digest"])


HANDLERS = {
    "CoalitionSeated": _coalition_seated,
    "CoalitionMemberSeated": _member_seated,
    "CoalitionMemberUnseated": _member_unseated,
    "NoticePreferenceSet": _preference_set,
}
