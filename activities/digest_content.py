"""What a digest says (issue 10): what reached the person and is still open, what was resolved since their
last digest, the teams stalled longest in their school (a principal) or district (the coalition), and the
notices held for it. From the read models only: team and step names, rungs, reasons and dates; never
evidence or student data. Frozen into the digest's row when composed, so a resend says the same.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from html import escape

from domain.digests import school_days_since
from domain.notice_hours import NoticeHours

STALLED_SHOWN = 5
FOOTER = "How your notices reach you (at once, or in a daily or weekly digest): plcflow district notices prefer."
SECTIONS = {  # content key -> heading
    "held": "Held for this digest",
    "open": "Reached you and still open",
    "resolved": "Resolved since your last digest",
    "stalled": "Teams stalled longest",
}


@dataclass(frozen=True)
class Recipient:
    district_id: str
    person_id: str
    school_id: str | None
    coalition: bool
    delivery: str  # "immediate" | "digest": whether their notices fold into it
    cadence: str  # "daily" | "weekly"

    @property
    def stalled_scope(self) -> str | None:
        """Their school's teams (a principal's, or anyone's who works at one), or None: the whole district
        (a coalition member, or someone who works at no school)."""
        return None if self.coalition else self.school_id


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _where(row) -> str:
    return row["team_name"] or row["team_id"] or row["school_id"] or "the district"


def _about(row) -> str:
    """A team's step, a school's clock, a district's phase, in words."""
    subject = row["subject"] or ""
    return _words(subject.split(":")[0] if ":" in subject else subject)


async def _open(conn, r: Recipient) -> list[str]:
    rows = await conn.fetch(
        """SELECT e.*, t.name AS team_name FROM open_escalations e LEFT JOIN team_status t ON t.team_id = e.team_id
            WHERE e.district_id = $1 AND e.reached ? $2 ORDER BY e.raised_on, e.escalation_id""", r.district_id, r.person_id)
    return [f"{_where(e)} — {_about(e)} — reached: {_words(e['level'])} — since {e['raised_on']}"
            + (f" ({e['hold']} until {e['held_until']})" if e["held_until"] else "") for e in rows]


async def _resolved(conn, r: Recipient, since: datetime, hours: NoticeHours) -> list[str]:
    rows = await conn.fetch(
        """SELECT e.*, t.name AS team_name FROM resolved_escalations e LEFT JOIN team_status t ON t.team_id = e.team_id
            WHERE e.district_id = $1 AND e.reached ? $2 AND e.resolved_at > $3 ORDER BY e.resolved_at""",
        r.district_id, r.person_id, since)
    return [f"{_where(e)} — {_about(e)} — resolved on {hours.local_date(e['resolved_at'])}" for e in rows]


async def _stalled(conn, r: Recipient, now: datetime, hours: NoticeHours) -> list[str]:
    rows = await conn.fetch(
        """SELECT team_id, name, school_id, step, step_opened_at FROM team_status
            WHERE district_id = $1 AND ($2::text IS NULL OR school_id = $2) AND step IS NOT NULL AND NOT paused
              AND retired_at IS NULL AND step_opened_at IS NOT NULL
            ORDER BY step_opened_at, team_id LIMIT $3""", r.district_id, r.stalled_scope, STALLED_SHOWN)
    today = hours.local_date(now)
    return [f"{t['name']} ({t['school_id']}) — step: {_words(t['step'])} — "
            f"{_school_days(school_days_since(hours, hours.local_date(t['step_opened_at']), today))} at this step" for t in rows]


async def gather(conn, r: Recipient, since: datetime, now: datetime, hours: NoticeHours, held: list[str]) -> dict:
    return {"cadence": r.cadence, "held": held, "open": await _open(conn, r),
            "resolved": await _resolved(conn, r, since, hours), "stalled": await _stalled(conn, r, now, hours)}


def _school_days(n: int) -> str:
    return f"{n} school day{'' if n == 1 else 's'}"


def render_digest(batch, sender: str) -> EmailMessage:
    """One email, plain text and simple HTML, from the content frozen in the digest's row."""
    content = batch.rows[0]["content"]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Message-ID"] = sender, batch.email, batch.message_id
    msg["Date"] = formatdate(localtime=False)  # when this copy was handed over; a resend keeps its Message-ID
    msg["X-Plcflow-Digest"] = str(batch.rows[0]["id"])  # which digest: for an operator, never content
    msg["Subject"] = (f"plcflow {content['cadence']} digest: {len(content['open'])} open, "
                      f"{len(content['resolved'])} resolved")
    plain, html = [], []
    for key, heading in SECTIONS.items():
        items = content[key]
        if key == "held" and not items:
            continue
        plain += [heading, *(f"- {x}" for x in items or ["(none)"]), ""]
        html.append(f"<h3>{escape(heading)}</h3><ul>{''.join(f'<li>{escape(x)}</li>' for x in items or ['(none)'])}</ul>")
    plain.append(FOOTER)
    html.append(f"<p>{escape(FOOTER)}</p>")
    msg.set_content("\n".join(plain))
    msg.add_alternative(f"<html><body>{''.join(html)}</body></html>", subtype="html")
    return msg
