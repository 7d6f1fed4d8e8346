"""A notice for a person with no email address, sent to the next rung instead when the district says so
(issue 10: "their notices go to the next rung's people only if the policy says so"; the rule:
``domain.notice_forwarding``).

The notifier (``activities.notifier.deliver``) asks ``forward`` for a claimed batch whose person has no
address. Under the district's ``park`` policy nothing happens here and the batch is parked as before. Under
``next_rung`` each row is, in ONE transaction, copied to each stand-in as a new outbox row of kind
``forwarded-<kind>:<person>`` (same event, so the same stream and version; the payload is the original's plus
``stands_in_for`` and ``forwarded_kind``) and parked with the reason "forwarded to X, Y" (or, with nobody to
stand in, the reason it stays parked). The copies then go the way of every notice (send hours, digests, one
email per person per round). A crash before the commit leaves the row leased, to be forwarded after the lease;
after it, the row is parked and the copies exist once (the outbox's UNIQUE key): each notice still reaches
someone at least once and at most twice, and the parked original keeps who it was for and where it went.

Who holds which rung comes from the read models: a team's people and roles (``team_people``), the
district's coalition seats, principals by school and district admins (``person_roles``), addresses
(``person_emails``); the policy from ``district_time_zones.notices_without_address``.
"""

from domain.ladder import Rung
from domain.notice_forwarding import (NoticesWithoutAddress, forwarded_reason, ladder, not_forwarded_reason,
                                      stand_ins)

_ROLE_RUNGS = {"member": Rung.TEAM, "facilitator": Rung.FACILITATOR, "principal": Rung.PRINCIPAL}

_FORWARD = """INSERT INTO outbox (stream_id, version, recipient, kind, payload)
              SELECT o.stream_id, o.version, s.person, $3, $4 FROM outbox o, unnest($2::text[]) AS s(person)
               WHERE o.id = $1
              ON CONFLICT (stream_id, version, recipient, kind) DO NOTHING"""
_PARK = "UPDATE outbox SET parked_at = now(), last_error = $2 WHERE id = $1 AND sent_at IS NULL"


async def policy(pool, district_id: str) -> NoticesWithoutAddress:
    value = await pool.fetchval("SELECT notices_without_address FROM district_time_zones WHERE district_id = $1", district_id)
    return NoticesWithoutAddress(value or NoticesWithoutAddress.PARK)


def _stream_kind(stream_id: str) -> str:
    return stream_id.split("-", 1)[0]  # "team", "school" or "district" (the stream ids of DESIGN)


def _ladder_subject(payload: dict) -> str | None:
    """The ladder's subject from an outbox payload, as ``activities.folding`` reads it."""
    subject = payload.get("subject")
    return {"norms_review": f"norms:{payload.get('team_id', '')}", "team_roster": f"teams:{payload.get('school_year', '')}",
            "coalition_gap": "coalition"}.get(subject, subject)


async def holders(conn, row: dict, district_id: str) -> dict[Rung, set[str]]:
    """Who holds each rung now for this row's team, school or district."""
    out: dict[Rung, set[str]] = {rung: set() for rung in Rung}
    kind, stream = _stream_kind(row["stream_id"]), row["stream_id"]
    team_id = stream.removeprefix("team-") if kind == "team" else row["payload"].get("team_id")
    if team_id:
        for r in await conn.fetch("SELECT person_id, role FROM team_people WHERE team_id = $1", team_id):
            out[_ROLE_RUNGS[r["role"]]].add(r["person_id"])
    people = await conn.fetch("SELECT person_id, roles, school_id, coalition FROM person_roles WHERE district_id = $1",
                              district_id)
    if kind == "school":  # a school's principal: the district's people with the role at that school
        school_id = stream.removeprefix("school-")
        out[Rung.PRINCIPAL] = {p["person_id"] for p in people if "principal" in p["roles"] and p["school_id"] == school_id}
    out[Rung.COALITION] = {p["person_id"] for p in people if p["coalition"]}
    out[Rung.DISTRICT_ADMIN] = {p["person_id"] for p in people if "district_admin" in p["roles"]}
    return out


async def forward(pool, batch, log) -> tuple[int, int] | None:
    """Under ``next_rung``: forward or park each of the batch's rows (see the module); returns (rows forwarded,
    rows left parked). None under ``park``: the caller parks the batch as before."""
    if await policy(pool, batch.district_id) is not NoticesWithoutAddress.NEXT_RUNG:
        return None
    forwarded = kept = 0
    async with pool.acquire() as conn, conn.transaction():
        addressed = {r["person_id"] for r in await conn.fetch(
            "SELECT person_id FROM person_emails WHERE district_id = $1", batch.district_id)}
        for row in batch.rows:
            rungs = ladder(_stream_kind(row["stream_id"]), _ladder_subject(row["payload"]))
            to = stand_ins(rungs, await holders(conn, row, batch.district_id), batch.recipient, addressed)
            if to:
                payload = {**row["payload"], "stands_in_for": batch.recipient, "forwarded_kind": row["kind"]}
                await conn.execute(_FORWARD, row["id"], list(to), f"forwarded-{row['kind']}:{batch.recipient}", payload)
            await conn.execute(_PARK, row["id"], forwarded_reason(to) if to else not_forwarded_reason(batch.recipient))
            forwarded, kept = forwarded + bool(to), kept + (not to)
            log.info("notice_forwarded" if to else "notice_not_forwarded", outbox_id=row["id"], recipient=batch.recipient,
                     stand_ins=list(to))
    return forwarded, kept
