"""Digests by email (issue 10): one per person per period, composed once, sent at least once, at most twice.

Each round (``activities.notifier_loop``) first composes the digests that are
due (``domain.digests.digest_period``: the district's ``notify_at`` on the
first school day of the week, or of each school day for a daily digest; never
on a closed day) for principals, coalition members and anyone who chose
digests. Composing inserts the row keyed (district, person, period): a second
notifier's insert finds it and does nothing, so nobody gets two digests for one
period. In the same transaction the person's held notices (``activities.folding``)
are folded in, the content is frozen and the Message-ID fixed, so a resend after
a crash is the same message under the same id. Then due digests are claimed
with a lease (SKIP LOCKED) and sent by the outbox's own ``send``; a digest and
the notices folded into it are marked, parked or postponed together.
"""

import hashlib
from datetime import datetime

from domain.digests import DIGEST_ROLES, PERIOD_LENGTH, digest_period
from domain.notice_hours import NoticeHours

from .digest_content import Recipient, gather, render_digest
from .folding import held_for_digest
from .notice_hours import notice_hours
from .notice_claim import STREAM_DISTRICT as _DISTRICT
from .notice_text import title
from .notifier import Batch, Permanent, Retry, Round, mark_sent, park, postpone, redacted, send


def digest_message_id(digest_id: int, district_id: str, person_id: str, period: str, domain: str) -> str:
    """Fixed when the digest is composed; the person's id only as part of a hash."""
    digest = hashlib.sha256(f"{district_id}|{person_id}|{period}".encode()).hexdigest()[:16]
    return f"<digest-{digest_id}-{digest}@{domain}>"


async def recipients(conn) -> list[Recipient]:
    """Principals, coalition members and whoever chose digests, as the read models have them now (a leaver has no row)."""
    rows = await conn.fetch(
        """SELECT r.district_id, r.person_id, r.school_id, r.coalition,
                  coalesce(p.delivery, 'immediate') AS delivery, coalesce(p.digest, 'weekly') AS cadence
             FROM person_roles r LEFT JOIN notice_preferences p USING (district_id, person_id)
            WHERE r.coalition OR r.roles && $1::text[] OR p.delivery = 'digest'
            ORDER BY r.district_id, r.person_id""", list(DIGEST_ROLES))
    return [Recipient(**dict(r)) for r in rows]


async def compose_due(pool, now: datetime, domain: str) -> int:
    """Compose every digest due at ``now`` that nobody has composed yet; how many this notifier composed."""
    people = await recipients(pool)
    hours = await notice_hours(pool, {r.district_id for r in people})
    due = [(r, period) for r in people if r.district_id in hours
           for period in [digest_period(hours[r.district_id], r.cadence, now)] if period]
    done = {tuple(x) for x in await pool.fetch(
        "SELECT district_id, person_id, period FROM digests WHERE period = ANY($1::text[])", sorted({p for _, p in due}))}
    composed = 0
    for r, period in due:
        if (r.district_id, r.person_id, period) not in done:
            composed += await _compose(pool, r, period, hours[r.district_id], now, domain)
    return composed


async def _compose(pool, r: Recipient, period: str, hours: NoticeHours, now: datetime, domain: str) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        digest_id = await conn.fetchval(
            """INSERT INTO digests (district_id, person_id, period, composed_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (district_id, person_id, period) DO NOTHING RETURNING id""", r.district_id, r.person_id, period, now)
        if digest_id is None:  # another notifier composed it first
            return False
        since = await conn.fetchval("SELECT max(composed_at) FROM digests WHERE district_id = $1 AND person_id = $2 AND id <> $3",
                                    r.district_id, r.person_id, digest_id) or now - PERIOD_LENGTH[r.cadence]
        mid = digest_message_id(digest_id, r.district_id, r.person_id, period, domain)
        folded = await _fold(conn, r, mid) if r.delivery == "digest" else []
        content = await gather(conn, r, since, now, hours, [title(f) for f in folded])
        await conn.execute(
            """UPDATE digests SET since = $2, content = $3, outbox_ids = $4, message_id = $5, next_attempt_at = '-infinity'
                WHERE id = $1""", digest_id, since, content, [f["id"] for f in folded], mid)
    return True


async def _fold(conn, r: Recipient, mid: str) -> list[dict]:
    """The person's held notices join the digest: under its Message-ID, out of every claim's reach until it is sent.
    A row another notifier is sending right now (leased, with its own Message-ID) is left to it."""
    return [dict(x) for x in await conn.fetch(
        f"""WITH held AS (SELECT o.id FROM outbox o
                           WHERE o.recipient = $1 AND o.sent_at IS NULL AND o.parked_at IS NULL
                             AND (o.next_attempt_at <= now() OR o.message_id IS NULL)
                             AND {_DISTRICT} = $2 AND {held_for_digest(_DISTRICT)}
                           ORDER BY o.id FOR UPDATE SKIP LOCKED)
            UPDATE outbox f SET message_id = $3, next_attempt_at = 'infinity' FROM held WHERE f.id = held.id
            RETURNING f.id, f.kind, f.recipient, f.payload""", r.person_id, r.district_id, mid)]


async def claim_digests(pool, now: datetime, limit: int, retry: Retry) -> list[dict]:
    """Due digests of districts whose send hours are open at ``now`` (a retry never lands on a closed day)."""
    pending = [r["district_id"] for r in await pool.fetch(
        "SELECT DISTINCT district_id FROM digests WHERE sent_at IS NULL AND parked_at IS NULL AND next_attempt_at <= now()")]
    hours = await notice_hours(pool, pending)
    open_now = [d for d, h in hours.items() if h.open_at(now) == now]
    return [dict(r) for r in await pool.fetch(
        """WITH due AS (SELECT id FROM digests WHERE sent_at IS NULL AND parked_at IS NULL AND next_attempt_at <= now()
                                                AND district_id = ANY($3::text[])
                         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           UPDATE digests g SET next_attempt_at = now() + make_interval(secs => $2), attempts = g.attempts + 1
             FROM due WHERE g.id = due.id
           RETURNING g.*, (SELECT email FROM person_emails pe
                            WHERE pe.district_id = g.district_id AND pe.person_id = g.person_id) AS email""",
        limit, retry.lease_s, open_now)]


async def deliver_digests(pool, smtp, log, *, now: datetime, limit: int = 100, retry: Retry = Retry(),
                          domain: str = "plcflow") -> Round:
    """One round: compose what is due, then send each claimed digest. ``sent`` counts the folded notices marked
    sent with their digests, ``messages`` the digests. Logs ids and outcomes, never an address or a body."""
    await compose_due(pool, now, domain)
    sent = messages = postponed = parked = 0
    for row in await claim_digests(pool, now, limit, retry):
        batch = Batch(row["person_id"], row["email"], row["district_id"], row["message_id"], (row,))
        fields = {"recipient": row["person_id"], "digest_id": row["id"], "outbox_ids": row["outbox_ids"],
                  "message_id": row["message_id"]}
        try:
            await send(batch, smtp, render_digest(batch, smtp.sender))
        except Permanent as err:
            await park(pool, [row["id"]], str(err), table="digests")
            await park(pool, row["outbox_ids"], str(err))  # shown by plcflow doctor with the outbox's parked notices
            parked += 1
            log.error("digest_parked", reason=redacted(str(err)), **fields)
            continue
        except Exception as err:  # SMTP 4xx, a refused connection, a timeout: try again later
            await postpone(pool, [row], f"{type(err).__name__}: {err}", retry, table="digests")
            postponed += 1
            log.warning("digest_postponed", reason=redacted(f"{type(err).__name__}: {err}"), **fields)
            continue
        async with pool.acquire() as conn, conn.transaction():  # a digest and its folded notices are sent together
            await mark_sent(conn, row["outbox_ids"])
            await mark_sent(conn, [row["id"]], table="digests")
        sent, messages = sent + len(row["outbox_ids"]), messages + 1
        log.info("digest_sent", **fields)
    return Round(sent, messages, postponed, parked)
