"""Delivering escalations to each district's webhooks (issue 10: "Webhooks per district ... as an optional
second channel, with the same rules").

- **Once per hook, not per person.** Each round first turns new outbox rows into ``webhook_posts``: one
  per (event, kind, hook of the event's district), listing every person the event reached by id. The
  outbox rows are marked ``hooked_at`` in the same transaction, whole events at a time. The unique key
  (event, kind, district, hook) makes a second row impossible; an advisory lock spares a second notifier
  the same work (and the wait on the first one's inserts).
- **Never on a closed day.** A post is due at the district's ``NoticeHours.open_at`` (``domain.notice_hours``),
  checked again when claimed (a calendar may change) and when postponed.
- **One post per window.** Claimed rows are posted together per district and hook (in chunks of
  ``MAX_ITEMS``, so a burst stays readable), never one post per escalation.
- **Same delivery as email.** Claimed with ``FOR UPDATE SKIP LOCKED`` and a lease (``activities.notifier``'s
  ``Retry``): at least once, at most twice (a notifier that dies between the endpoint's acceptance and the
  marking leaves its rows to come back after the lease). Temporary failures (network, timeout, HTTP 408,
  425, 429, 5xx) are retried with capped backoff, honouring ``Retry-After``; any other answer (400, 403,
  404, 410...) is permanent: parked with the reason, shown by ``plcflow doctor``, never blocking others.
- Logs name the hook, the district and the post ids; never the URL (a secret) nor a post's body.
"""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from domain.notice_hours import NoticeHours

from .notice_hours import notice_hours
from .notice_claim import STREAM_DISTRICT as _DISTRICT
from .notifier import Permanent, Retry, Round
from .webhook_payloads import Hook, item_of, payload

Webhooks = Mapping[str, Sequence[Hook]]  # district id -> its hooks (app.webhook_file reads them)
POSTED_KINDS = ["escalation", "roster_gap"]  # outbox kinds a channel hears of
ENQUEUE_LOCK = 7_320_017  # advisory lock id: one notifier turns the outbox into posts at a time
HOLD = timedelta(hours=6)  # no school day known after now (the next calendar is not published): ask again later
MAX_ITEMS = 50  # items per post: Slack and Teams cut or refuse very long messages
TEMPORARY_STATUSES = {408, 425, 429}


class Temporary(Exception):
    """Worth trying again later; ``retry_after`` is the endpoint's own ``Retry-After``, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


def due_at(hours: NoticeHours | None, at: datetime) -> datetime:
    """The first instant from ``at`` the district's send hours are open; held (asked again) when unknown."""
    opens = hours.open_at(at) if hours else None
    return opens if opens is not None else at + HOLD


async def enqueue(pool, hooks: Webhooks, now: datetime, limit: int = 500) -> int:
    """Posts for up to ``limit`` new outbox events; returns how many posts were written.

    An event whose district the projector has not seen yet waits for it (its outbox rows stay unhooked).
    """
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", ENQUEUE_LOCK):
            return 0  # another notifier is doing it right now
        rows = await conn.fetch(
            f"""WITH unhooked AS (SELECT o.id, o.stream_id, o.version, o.recipient, o.kind, o.payload,
                                         {_DISTRICT} AS district_id
                                    FROM outbox o WHERE o.hooked_at IS NULL),
                     ev AS (SELECT stream_id, version FROM unhooked
                             WHERE district_id IS NOT NULL OR kind <> ALL($2::text[])
                             GROUP BY stream_id, version ORDER BY min(id) LIMIT $1)
                SELECT u.*, coalesce((SELECT name FROM school_status s WHERE s.school_id = u.payload->>'school_id'),
                                     (SELECT name FROM district_schools f WHERE f.school_id = u.payload->>'school_id'
                                         AND f.district_id = u.district_id)) AS school_name
                  FROM unhooked u JOIN ev USING (stream_id, version) ORDER BY u.id""", limit, POSTED_KINDS)
        hours = await notice_hours(conn, {r["district_id"] for r in rows if r["district_id"] in hooks})
        events: dict[tuple, list] = {}
        for r in rows:
            events.setdefault((r["stream_id"], r["version"], r["kind"]), []).append(r)
        posts = [(stream_id, version, kind, g[0]["district_id"], hook.name,
                  item_of(kind, g[0]["payload"], [r["recipient"] for r in g], g[0]["school_name"]),
                  due_at(hours.get(g[0]["district_id"]), now))
                 for (stream_id, version, kind), g in events.items() if kind in POSTED_KINDS
                 for hook in hooks.get(g[0]["district_id"], ())]
        await conn.executemany(
            """INSERT INTO webhook_posts (stream_id, version, kind, district_id, hook, item, next_attempt_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""", posts)
        await conn.execute("UPDATE outbox SET hooked_at = $2 WHERE id = ANY($1)", [r["id"] for r in rows], now)
        return len(posts)


async def claim(pool, limit: int, retry: Retry, now: datetime) -> list[dict]:
    """Take up to ``limit`` due posts for this notifier alone (SKIP LOCKED), leased like the outbox's rows."""
    return [dict(r) for r in await pool.fetch(
        """WITH due AS (SELECT id FROM webhook_posts WHERE sent_at IS NULL AND parked_at IS NULL AND next_attempt_at <= $2
                         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           UPDATE webhook_posts w SET next_attempt_at = $2 + make_interval(secs => $3), attempts = w.attempts + 1
             FROM due WHERE w.id = due.id
           RETURNING w.id, w.district_id, w.hook, w.item, w.attempts""", limit, now, retry.lease_s)]


async def in_send_hours(pool, rows: list[dict], now: datetime) -> tuple[list[dict], dict[str, NoticeHours]]:
    """The claimed rows whose district is open now; the others go back, due when it opens (not a failed try)."""
    hours = await notice_hours(pool, {r["district_id"] for r in rows})
    later = {r["id"]: due_at(hours.get(r["district_id"]), now) for r in rows}
    later = {i: at for i, at in later.items() if at > now}
    if later:
        await pool.executemany("UPDATE webhook_posts SET next_attempt_at = $2, attempts = attempts - 1 WHERE id = $1",
                               list(later.items()))
    return [r for r in rows if r["id"] not in later], hours


@dataclass(frozen=True)
class Post:
    """One HTTP POST: claimed rows of one hook of one district."""

    district_id: str
    hook: str
    rows: tuple[dict, ...]

    @property
    def ids(self) -> list[int]:
        return [r["id"] for r in self.rows]


def posts(rows: list[dict]) -> list[Post]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        groups.setdefault((row["district_id"], row["hook"]), []).append(row)
    return [Post(district, hook, tuple(group[i:i + MAX_ITEMS]))
            for (district, hook), group in groups.items() for i in range(0, len(group), MAX_ITEMS)]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


async def send(client: httpx.AsyncClient, hook: Hook | None, post: Post) -> None:
    """POST the items; a 2xx is delivered, ``Temporary`` is worth retrying, ``Permanent`` is parked."""
    if hook is None:
        raise Permanent(f"hook {post.hook!r} of district {post.district_id} is no longer in PLCFLOW_WEBHOOKS_FILE")
    body = payload(hook.kind, post.district_id, [r["item"] for r in post.rows])
    try:
        response = await client.post(hook.url, json=body, headers={"X-Plcflow-Posts": ",".join(map(str, post.ids))})
    except httpx.HTTPError as err:  # refused, reset, timed out: the network, not the hook
        raise Temporary(type(err).__name__ + (": " + str(err).replace(hook.url, "<url>") if str(err) else "")) from None
    answer = " ".join(response.text.split())[:200]
    reason = f"HTTP {response.status_code}" + (f": {answer}" if answer else "")
    if response.is_success:
        if hook.kind == "teams" and "HTTP error 429" in answer:  # Teams connectors throttle with a 200 (msteams-docs)
            raise Temporary(reason)
        return
    if response.status_code in TEMPORARY_STATUSES or response.status_code >= 500:
        raise Temporary(reason, _retry_after(response))
    raise Permanent(reason)


@dataclass(frozen=True)
class Outcome:
    """How one post ended, for the database: sent, parked, or due again at ``at``."""

    sent: bool = False
    parked: str | None = None
    postponed: str | None = None
    at: datetime | None = None


async def post_webhooks(pool, hooks: Webhooks, log, *, now: datetime, limit: int = 500, retry: Retry = Retry(),
                        timeout: float = 10.0) -> Round:
    """One round: new outbox events become posts, then the due posts are sent, one per district and hook."""
    await enqueue(pool, hooks, now, limit)
    rows, hours = await in_send_hours(pool, await claim(pool, limit, retry, now), now)
    if not rows:
        return Round()
    by_name = {(district, h.name): h for district, hs in hooks.items() for h in hs}
    # Past most of the lease another notifier may take these rows: leave the rest to it (never three posts).
    deadline = time.monotonic() + retry.lease_s * 0.8
    done = Round()
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        for post in posts(rows):
            if time.monotonic() > deadline:
                log.warning("lease_running_out", post_ids=post.ids, hook=post.hook, district_id=post.district_id)
                continue
            outcome = await _attempt(client, by_name.get((post.district_id, post.hook)), post, retry,
                                     hours.get(post.district_id), now)
            await _record(pool, post, outcome, log)
            done = Round(done.sent + len(post.ids) * outcome.sent, done.messages + outcome.sent,
                         done.postponed + len(post.ids) * bool(outcome.postponed),
                         done.parked + len(post.ids) * bool(outcome.parked))
    return done


async def _attempt(client, hook: Hook | None, post: Post, retry: Retry, hours: NoticeHours | None,
                   now: datetime) -> Outcome:
    try:
        await send(client, hook, post)
    except Permanent as err:
        return Outcome(parked=str(err))
    except Temporary as err:
        wait = min(retry.cap_s, max(retry.delay(max(r["attempts"] for r in post.rows)), err.retry_after or 0))
        return Outcome(postponed=str(err), at=due_at(hours, now + timedelta(seconds=wait)))
    return Outcome(sent=True)


async def _record(pool, post: Post, outcome: Outcome, log) -> None:
    fields = {"post_ids": post.ids, "hook": post.hook, "district_id": post.district_id}
    if outcome.sent:
        await pool.execute("UPDATE webhook_posts SET sent_at = now(), last_error = NULL WHERE id = ANY($1) "
                           "AND sent_at IS NULL", post.ids)
        log.info("webhook_posted", **fields)
    elif outcome.parked:
        await pool.execute("UPDATE webhook_posts SET parked_at = now(), last_error = $2 WHERE id = ANY($1)",
                           post.ids, outcome.parked)
        log.error("webhook_parked", reason=outcome.parked, **fields)
    else:
        await pool.execute("UPDATE webhook_posts SET next_attempt_at = $2, last_error = $3 WHERE id = ANY($1)",
                           post.ids, outcome.at, outcome.postponed)
        log.warning("webhook_postponed", reason=outcome.postponed, retry_at=outcome.at.isoformat(), **fields)


# --- parked posts: shown by ``plcflow doctor``, made due again by ``plcflow notices retry [--hook]`` ---


async def parked_posts(pool, limit: int = 5) -> tuple[int, list[dict]]:
    """How many webhook posts are parked, and the first few (id, district, hook, kind, reason): never a URL."""
    total = await pool.fetchval("SELECT count(*) FROM webhook_posts WHERE parked_at IS NOT NULL AND sent_at IS NULL")
    rows = await pool.fetch("SELECT id, district_id, hook, kind, last_error FROM webhook_posts "
                            "WHERE parked_at IS NOT NULL AND sent_at IS NULL ORDER BY id LIMIT $1", limit)
    return total, [dict(r) for r in rows]


async def retry_parked_posts(pool, hook: str | None = None) -> int:
    """Parked posts become due again (the hook's URL fixed, the channel restored); the send hours still apply."""
    status = await pool.execute(
        "UPDATE webhook_posts SET parked_at = NULL, attempts = 0, next_attempt_at = '-infinity', last_error = NULL "
        "WHERE parked_at IS NOT NULL AND sent_at IS NULL AND ($1::text IS NULL OR hook = $1)", hook)
    return int(status.split()[-1])
