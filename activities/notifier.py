"""Delivering the outbox by email (issue 10, core): claim, group per person, send, mark.

Guarantee (README, "Notifications"): each outbox row is sent at least once and
at most twice, never lost. A claim is one ``UPDATE ... FOR UPDATE SKIP LOCKED``
that pushes the rows' ``next_attempt_at`` out by a lease, so several notifiers
never take the same row; a notifier that dies between the SMTP server's
acceptance and the marking leaves its rows to come back after the lease, sent
again under the Message-ID fixed before the first send.
"""

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import aiosmtplib

from .forwarding import forward
from .notice_claim import STREAM_DISTRICT, claim_due, hold_closed, real_now
from .notice_text import notice_facts, render


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    tls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = "plcflow@localhost"
    timeout: float = 30.0


@dataclass(frozen=True)
class Retry:
    lease_s: float = 300.0  # a claimed row comes back after this if its notifier died (longer than a send)
    first_s: float = 30.0
    cap_s: float = 3600.0

    def delay(self, attempts: int) -> float:
        """Seconds before a temporarily failed row is tried again after ``attempts`` tries."""
        return min(self.cap_s, self.first_s * 2 ** min(max(attempts - 1, 0), 30))


@dataclass(frozen=True)
class Batch:
    """One email: a person's claimed rows, under one Message-ID."""

    recipient: str
    email: str | None
    district_id: str | None  # None until the projector has seen the stream's first event
    message_id: str
    rows: tuple[dict, ...]

    @property
    def ids(self) -> list[int]:
        return [r["id"] for r in self.rows]


def message_id(ids: Sequence[int], domain: str) -> str:
    """Stable for the same rows: a resend after a crash carries the id of the first send."""
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:16]
    return f"<outbox-{min(ids)}-{digest}@{domain}>"


async def claim(pool, limit: int, retry: Retry, *, now: datetime | None = None, window_s: float = 0.0) -> list[dict]:
    """Take every due row of up to ``limit`` people for this notifier alone (``activities.notice_claim``),
    with each recipient's address and district."""
    return await claim_due(pool, limit, retry.lease_s, now=now, window_s=window_s)


async def batches(pool, rows: list[dict], domain: str) -> list[Batch]:
    """One batch per recipient; rows already sent under a Message-ID (a crash) are resent under it, alone."""
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        groups.setdefault((row["recipient"], row["message_id"]), []).append(row)
    out = []
    for (recipient, fixed), group in groups.items():
        mid = fixed or message_id([r["id"] for r in group], domain)
        if not fixed:
            await pool.execute("UPDATE outbox SET message_id = $2 WHERE id = ANY($1)", [r["id"] for r in group], mid)
        out.append(Batch(recipient, group[0]["email"], group[0]["district_id"], mid, tuple(group)))
    return out


_ADDRESS = re.compile(r"[^\s<>@,;:\"']+@[^\s<>,;:\"']+")


def redacted(reason: str) -> str:
    """An SMTP reply often quotes the address: the log gets the reason without it (the outbox row keeps it)."""
    return _ADDRESS.sub("<address>", reason)


class Permanent(Exception):
    """Retrying cannot help (5xx, a refused or missing address): the rows are parked with the reason."""


async def send(batch: Batch, smtp: SmtpConfig, message: EmailMessage | None = None) -> None:
    """Hand the message (default: the batch rendered without read-model facts) to the SMTP server; a 5xx is
    ``Permanent``, anything else a temporary error."""
    if not batch.email and batch.district_id is None:  # the read models lag the outbox: not the person's fault
        raise LookupError(f"{batch.recipient}'s district is not projected yet")
    if not batch.email:
        raise Permanent(f"{batch.recipient} has no email address in the district file")
    try:
        await aiosmtplib.send(message or render(batch, smtp.sender), hostname=smtp.host, port=smtp.port,
                              start_tls=smtp.starttls, use_tls=smtp.tls, username=smtp.user,
                              password=smtp.password, timeout=smtp.timeout)
    except aiosmtplib.SMTPRecipientsRefused as err:
        codes = [e.code for e in err.recipients]
        if all(500 <= c < 600 for c in codes):
            raise Permanent(f"recipient refused: {'; '.join(f'{e.code} {e.message}' for e in err.recipients)}") from err
        raise
    except aiosmtplib.SMTPResponseException as err:
        if 500 <= err.code < 600:
            raise Permanent(f"{err.code} {err.message}") from err
        raise


async def mark_sent(pool, ids: list[int], table: str = "outbox") -> None:
    """``table``: "outbox", or "digests" (the same delivery columns, migration 0015); so for park and postpone."""
    await pool.execute(f"UPDATE {table} SET sent_at = now(), last_error = NULL WHERE id = ANY($1) AND sent_at IS NULL", ids)


async def park(pool, ids: list[int], reason: str, table: str = "outbox") -> None:
    await pool.execute(f"UPDATE {table} SET parked_at = now(), last_error = $2 WHERE id = ANY($1)", ids, reason)


async def postpone(pool, rows: Sequence[dict], reason: str, retry: Retry, now: datetime | None = None,
                   table: str = "outbox") -> None:
    """Capped backoff per row, counted from its own attempts."""
    await pool.executemany(
        f"UPDATE {table} SET next_attempt_at = $4::timestamptz + make_interval(secs => $2), last_error = $3 WHERE id = $1",
        [(r["id"], retry.delay(r["attempts"]), reason, now or real_now()) for r in rows])


@dataclass(frozen=True)
class Round:
    sent: int = 0  # rows
    messages: int = 0
    postponed: int = 0
    parked: int = 0
    held: int = 0  # rows handed back to wait for their district's send hours (a closed day, before notify_at)
    forwarded: int = 0  # of the parked: rows of a person without an address sent on to the next rung (activities.forwarding)


async def deliver(pool, smtp: SmtpConfig, log, *, limit: int = 100, retry: Retry = Retry(),
                  domain: str = "plcflow", now: datetime | None = None, window_s: float = 0.0,
                  public_url: str | None = None) -> Round:
    """One round: claim due rows (every row of up to ``limit`` people), hold those of a closed district, send
    one message per person, then mark, park or postpone each batch.

    ``now`` (default: the real clock) decides what is due and when it is due again, so tests can step through
    school days; ``sent_at``/``parked_at`` record the real instant. ``window_s``: ``activities.notice_claim``.
    ``public_url``: where the emails link to (PLCFLOW_PUBLIC_URL; none if unset).
    Logs ids and outcomes, never a message body or an address (issue 10; STYLE: privacy).
    """
    now = now or real_now()
    rows, held = await hold_closed(pool, await claim(pool, limit, retry, now=now, window_s=window_s), now)
    if held:
        log.info("notices_held_for_send_hours", rows=held)
    facts = await notice_facts(pool, rows, now) if rows else {}
    # Past most of the lease another notifier may take these rows: leave the rest for it (never three sends).
    deadline = time.monotonic() + retry.lease_s * 0.8
    sent = messages = postponed = parked = forwarded = 0
    for batch in await batches(pool, rows, domain):
        if time.monotonic() > deadline:
            log.warning("lease_running_out", outbox_ids=batch.ids, recipient=batch.recipient)
            continue
        fields = {"recipient": batch.recipient, "outbox_ids": batch.ids, "message_id": batch.message_id}
        if not batch.email and batch.district_id is not None and (moved := await forward(pool, batch, log)):
            parked, forwarded = parked + len(batch.ids), forwarded + moved[0]  # the district's policy: next_rung
            continue
        try:
            await send(batch, smtp, render(batch, smtp.sender, facts, public_url) if batch.email else None)
        except Permanent as err:
            await park(pool, batch.ids, str(err))
            parked += len(batch.ids)
            log.error("notice_parked", reason=redacted(str(err)), **fields)
            continue
        except Exception as err:  # SMTP 4xx, a refused connection, a timeout: try again later
            reason = f"{type(err).__name__}: {err}"
            await postpone(pool, batch.rows, reason, retry, now)
            postponed += len(batch.ids)
            log.warning("notice_postponed", reason=redacted(reason), retry_in_s=retry.delay(batch.rows[0]["attempts"]), **fields)
            continue
        await mark_sent(pool, batch.ids)
        sent, messages = sent + len(batch.ids), messages + 1
        log.info("notice_sent", **fields)
    return Round(sent, messages, postponed, parked, held, forwarded)


# --- parked notices: shown by ``plcflow doctor``, sent again by ``plcflow notices retry`` ---


async def parked_notices(pool, limit: int = 5) -> tuple[int, list[dict]]:
    """How many notices are parked, and the first few (id, recipient, kind, reason): never an address or a body."""
    total = await pool.fetchval("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL")
    rows = await pool.fetch("SELECT id, recipient, kind, last_error FROM outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL "
                            "ORDER BY id LIMIT $1", limit)
    return total, [dict(r) for r in rows]


async def people_without_address(pool, limit: int = 20) -> tuple[int, list[dict]]:
    """People who have notices not sent (waiting or parked) and no address in their district (issue 10).

    Only people with notices, not every person without an address: someone who is never reached needs none
    (a district may leave out those who only use the dashboard), and the read models hold addresses, not the
    whole staff list. Never an address: ids and counts.
    """
    rows = await pool.fetch(
        f"""SELECT district_id, recipient AS person_id, count(*) AS notices, count(parked_at) AS parked
              FROM (SELECT o.recipient, o.parked_at, {STREAM_DISTRICT} AS district_id FROM outbox o WHERE o.sent_at IS NULL) x
             WHERE district_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM person_emails pe WHERE pe.person_id = x.recipient AND pe.district_id = x.district_id)
             GROUP BY district_id, recipient ORDER BY district_id, recipient""")
    return len(rows), [dict(r) for r in rows[:limit]]


async def retry_parked(pool, recipient: str | None = None) -> int:
    """Parked notices become due again (the address was added, the mail server fixed); their Message-ID stays."""
    status = await pool.execute(
        "UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = '-infinity', last_error = NULL "
        "WHERE parked_at IS NOT NULL AND sent_at IS NULL AND ($1::text IS NULL OR recipient = $1)", recipient)
    return int(status.split()[-1])
