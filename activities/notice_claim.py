"""Which outbox rows a notifier takes in a round (issue 10): per person, after a send window, on open days.

Bursts (issue 10, "one email per person per send window ... never 40 emails
to one principal in a minute"). Two rules together:

- The claim is per RECIPIENT: a round takes every due row of up to ``limit``
  people, never a slice of one person's rows, so a principal's 1,000 rows
  are one email, not two rounds' worth. An advisory lock per recipient
  (held for the claiming statement only) keeps two notifiers from splitting
  one person's rows between them; after the statement the rows are leased.
- A person's rows wait for a short SEND WINDOW (``window_s``) from the first
  one's due instant before they are claimed, so the rows that a morning's
  rungs write over several seconds (1,000 teams, then their schools a
  minute later) go out together. A row's due instant is when its escalation
  happened (the event's ``occurred_at``, the domain's clock, so a test's
  injected clock and the workflow's skipped time agree) or, for a row held
  over a closed day, the instant the send hours opened. A row being retried
  does not wait. Chosen over claiming per recipient alone because rows
  committed a second apart would otherwise land in successive rounds and
  successive emails; the window bounds the extra delay (README: p99 < 60 s,
  so the notifier's default window is 30 s).

Closed days (issue 10, "Nothing is sent on a closed day"): a claimed row
whose district's send hours open later (``domain.notice_hours``: a weekend,
a break, before ``notify_at``) is handed back to wait for that instant
without counting an attempt; a district with no known school day ahead
(summer before the next calendar) is asked again a day later. A row whose
district the projector has not seen yet is sent as before (``send`` waits
for the projector).
"""

from datetime import UTC, datetime, timedelta

from .folding import held_for_digest
from .notice_hours import notice_hours

ROW_COLUMNS = "id, stream_id, recipient, kind, payload, attempts, message_id"
# A stream's district: a team's or school's from the read models, a district's from its id.
STREAM_DISTRICT = """coalesce((SELECT district_id FROM team_status WHERE 'team-' || team_id = o.stream_id),
                        (SELECT district_id FROM school_status WHERE 'school-' || school_id = o.stream_id),
                        CASE WHEN o.stream_id LIKE 'district-%' THEN substr(o.stream_id, 10) END)"""
UNKNOWN_HOURS_RECHECK = timedelta(days=1)

_CLAIM = f"""
WITH due AS (
    SELECT o.id, o.recipient,
           CASE WHEN o.attempts = 0 THEN greatest(e.occurred_at, o.next_attempt_at) ELSE '-infinity' END AS since
      FROM outbox o JOIN events e ON e.stream_id = o.stream_id AND e.version = o.version
     WHERE o.sent_at IS NULL AND o.parked_at IS NULL AND o.next_attempt_at <= $1::timestamptz
       AND NOT {held_for_digest(STREAM_DISTRICT)}),
ready AS MATERIALIZED (
    SELECT recipient FROM (SELECT recipient, min(id) AS first FROM due GROUP BY recipient
                            HAVING min(since) <= $1 - make_interval(secs => $4) ORDER BY first) g
     WHERE pg_try_advisory_xact_lock(hashtextextended('plcflow-notice:' || g.recipient, 0))
     LIMIT $2),
picked AS (
    SELECT o.id FROM outbox o JOIN ready r ON r.recipient = o.recipient
     WHERE o.sent_at IS NULL AND o.parked_at IS NULL AND o.next_attempt_at <= $1
       AND NOT {held_for_digest(STREAM_DISTRICT)}
       FOR UPDATE OF o SKIP LOCKED)
UPDATE outbox o SET next_attempt_at = $1 + make_interval(secs => $3), attempts = o.attempts + 1
  FROM picked WHERE o.id = picked.id
RETURNING {', '.join('o.' + c for c in ROW_COLUMNS.split(', '))},
          {STREAM_DISTRICT} AS district_id,
          (SELECT email FROM person_emails pe WHERE pe.person_id = o.recipient AND pe.district_id = {STREAM_DISTRICT}) AS email
"""


def real_now() -> datetime:
    return datetime.now(UTC)


async def claim_due(pool, limit: int, lease_s: float, *, now: datetime | None = None, window_s: float = 0.0) -> list[dict]:
    """Every due row of up to ``limit`` people whose send window has closed, leased to this notifier alone."""
    now = now or real_now()
    return [dict(r) for r in await pool.fetch(_CLAIM, now, limit, lease_s, window_s)]


async def hold_closed(pool, rows: list[dict], now: datetime) -> tuple[list[dict], int]:
    """The rows whose district is open now, and how many were handed back to wait for their send hours."""
    hours = await notice_hours(pool, {r["district_id"] for r in rows if r["district_id"]})
    open_now, later = [], []
    for row in rows:
        district = hours.get(row["district_id"])
        opens = district.open_at(now) if district else now  # not projected yet: as before (send waits for it)
        if opens is not None and opens <= now:
            open_now.append(row)
        else:
            later.append((row["id"], opens or now + UNKNOWN_HOURS_RECHECK))
    if later:
        # Back to waiting, as if never claimed: a closed day is no failed attempt.
        await pool.executemany("UPDATE outbox SET next_attempt_at = $2, attempts = attempts - 1 WHERE id = $1", later)
    return open_now, len(later)
