"""What a notice says, in plain words (issue 10, "An escalation"): which team (or school, or the district's
phase) and step, since when and how many school days overdue, what would move it (the exact CLI command and
API path), and a link to it. No evidence numbers, no student information, no other team's data: an item is
built from its own outbox payload and the read models' dates for that same team, school or district.

One renderer per outbox ``kind`` in ``RENDERERS``: a new kind (a reminder, a digest) adds its function.
The subject names the most urgent item (highest rung, then most school days overdue).
"""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate
from html import escape

from .notice_hours import notice_hours
from .reminders import reminder_line

# The ladders' rungs from least to most urgent (domain.ladder.Rung); a kind without a rung sorts by its own rank.
URGENCY = {"team": 1, "facilitator": 2, "principal": 3, "coalition": 4, "district_admin": 5}


@dataclass(frozen=True)
class Facts:
    """What the read models know at send time about one item's team, school or district."""

    today: date | None = None  # the district's local date
    due_on: date | None = None  # the step's or phase's due date, while it is still the open one
    overdue: int | None = None  # school days past due_on, through today
    raised_on: date | None = None


@dataclass(frozen=True)
class Item:
    title: str  # one line: what is stalled
    lines: tuple[str, ...] = ()  # since when, what would move it
    link: str | None = None
    urgency: tuple = field(default=(0, 0))
    headline: str = ""  # what the subject adds to the title ("6 school days overdue")


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _since(f: Facts, raised: str | None) -> str:
    raised_on = f.raised_on or (date.fromisoformat(raised) if raised else None)
    if f.due_on and f.overdue == 0:
        return f"Due today ({f.due_on:%A %d %B %Y})."
    if f.due_on and f.overdue is not None:
        return f"{f.overdue} school day{'s' * (f.overdue != 1)} overdue (due {f.due_on:%A %d %B %Y})."
    return f"Open since {raised_on:%A %d %B %Y}." if raised_on else ""


def _hold(cli: str, api: str, esc: str, me: str) -> list[str]:
    """Acknowledging or snoozing, with a reason, is open to everyone an escalation reached (seed: the ladder)."""
    if cli == "team":
        ack = f'plcflow escalation ack {esc} --reason "..." --as {me}'
        snooze = f'plcflow escalation snooze {esc} --until YYYY-MM-DD --reason "..." --as {me}'
    else:
        ack = f'plcflow {cli} acknowledge --as {me} --set escalation_id={esc} --set reason="..."'
        snooze = f'plcflow {cli} snooze --as {me} --set escalation_id={esc} --set until=YYYY-MM-DD --set reason="..."'
    return [f"Or hold it with a reason: {ack}", f"  or until a date: {snooze}",
            f"  (API: POST {api}/acknowledge or {api}/snooze)"]


def _team(p: dict, me: str) -> tuple[str, str, list[str]]:
    team = p["team_id"]
    api = f"/v1/teams/{team}"
    move = [f"To move it, the team advances the step: plcflow team advance {team} (API: POST {api}/advance)"]
    return f"{p.get('team_name') or team}: {_words(p.get('step')) or 'its open step'}", api, move + _hold(
        "team", api, p.get("escalation_id", ""), me)


def _school(p: dict, me: str) -> tuple[str, str, list[str]]:
    school = p["school_id"]
    subject = p.get("subject")
    what = {"norms_review": f"the norms review of {p.get('team_name')}", "assessment": "the self-assessment",
            "team_roster": f"confirming the teams for {p.get('school_year')}"}.get(subject, _words(subject))
    api = f"/v1/schools/{school}"
    action = {"norms_review": "review_norms", "assessment": "self_assess", "team_roster": "confirm_teams"}.get(subject)
    move = [f"To move it: plcflow school act {school} {action} --as {me} --set ... (API: POST {api}/{action})"] if action else []
    return (f"{p.get('school_name') or school}: {what}", f"{api}/summary",
            move + _hold(f"school act {school}", api, p.get("escalation_id", ""), me))


def _district(p: dict, me: str) -> tuple[str, str, list[str]]:
    district = p.get("district_id", "")
    what = {"phase": f"the phase {_words(p.get('phase'))}", "calendar_end": f"no calendar after {p.get('last_day')}",
            "coalition_gap": f"the coalition needs {', '.join(p.get('missing') or [])}"}.get(p.get("subject"), "the rollout")
    api = f"/v1/districts/{district}"
    move = ([f"To move it: plcflow district act {district} complete_phase --as {me} --set phase={p['phase']}"
             f" (API: POST {api}/complete_phase)"] if p.get("subject") == "phase" else [])
    return (f"{p.get('district_name') or district}: {what}", f"{api}/summary",
            move + _hold(f"district act {district}", api, p.get("escalation_id", ""), me))


def escalation(p: dict, f: Facts, me: str, url: str | None) -> Item:
    """A rung fired: a team's step, a school's clock or a district's phase (``workflows.notices``)."""
    scope = p.get("scope") or ("team" if p.get("team_id") else "district")
    title, link, move = {"team": _team, "school": _school}.get(scope, _district)(p, me)
    level = p.get("level")
    since = _since(f, p.get("raised_on"))
    # A team's reason repeats its due date with the overdue count of the day it fired: today's count replaces it.
    why = "" if scope == "team" and f.overdue is not None else p.get("reason", "")
    lines = [since, f"Escalated to the {_words(level)} rung." if level else "", f"Why: {why}" if why else ""]
    return Item(title, tuple(x for x in lines if x) + tuple(move), f"{url}{link}" if url else None,
                (URGENCY.get(level or "", 0), f.overdue or 0), since.split(" (")[0].rstrip(".") if f.overdue else "")


def roster_gap(p: dict, f: Facts, me: str, url: str | None) -> Item:
    """Issue 9: a team with no members or no facilitator; its principal names who takes it on."""
    team, api = p.get("team_id", ""), f"/v1/teams/{p.get('team_id', '')}"
    if p.get("gap") == "facilitator":
        move = (f"To move it, name its facilitator: plcflow team facilitator {team} PERSON --as {me}"
                f" (API: POST {api}/change_facilitator; a launched team's at its school: change_facilitator)")
    else:
        move = f"To move it, add a member: plcflow team member add {team} PERSON --as {me} (API: POST {api}/add_member)"
    return Item(f"{p.get('team_name') or team}: the team lost its people", (f"Why: {p.get('reason', '')}", move),
                f"{url}{api}" if url else None, (URGENCY["principal"], 0))


def reminder(p: dict, f: Facts, me: str, url: str | None) -> Item:
    """Before a step is due (activities.reminders): to the team's members only."""
    team = p.get("team_id", "")
    return Item(reminder_line(p),
                ("A reminder before it escalates.", f"  plcflow team advance {team} --as {me}",
                 f"  API: POST /v1/teams/{team}/advance"), f"{url}/v1/teams/{team}" if url else None, (0, 0))


def forwarded(p: dict, f: Facts, me: str, url: str | None) -> Item:
    """A notice for someone without an address, sent to the next rung in their place (activities.forwarding):
    the original notice, saying for whom it stands in."""
    inner = RENDERERS.get(p.get("forwarded_kind", "").split("-")[0], escalation)(p, f, me, url)
    note = (f"You receive this in place of {p['stands_in_for']}, who has no email address in the district file "
            "(the district's policy: notices without an address go to the next rung).")
    return replace(inner, title=f"{inner.title} (for {p['stands_in_for']})", lines=(note, *inner.lines))


RENDERERS: dict[str, Callable[[dict, Facts, str, str | None], Item]] = {
    "escalation": escalation, "roster_gap": roster_gap, "reminder": reminder, "forwarded": forwarded}


def item(row: dict, facts: dict[int, Facts], url: str | None) -> Item:
    # A reminder's kind names its day ("reminder-1": one school day before; activities.reminders).
    render = RENDERERS.get(row["kind"].split("-")[0], escalation)
    return render(row["payload"], facts.get(row["id"], Facts()), row["recipient"], url)


def title(row: dict) -> str:
    """One line for an outbox row (kind, recipient, payload), as a digest lists the notices folded into it."""
    level = row["payload"].get("level")
    return item(row, {}, None).title + (f" (escalated to the {_words(level)} rung)" if level else "")


def render(batch, sender: str, facts: dict[int, Facts] | None = None, public_url: str | None = None) -> EmailMessage:
    """One email for a person's batch: every item, most urgent first, in plain text and simple HTML."""
    items = sorted((item(r, facts or {}, public_url) for r in batch.rows), key=lambda i: i.urgency, reverse=True)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Message-ID"] = sender, batch.email, batch.message_id
    msg["Date"] = formatdate(localtime=False)  # when this copy was handed over; a resend keeps its Message-ID
    msg["X-Plcflow-Outbox"] = ",".join(map(str, batch.ids))  # which rows: for an operator, never content
    more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
    top = items[0]
    msg["Subject"] = f"plcflow: {top.title}{', ' + top.headline if top.headline else ''}{more}"
    intro = ("This is waiting on a next move." if len(items) == 1 else
             f"These {len(items)} items are waiting on a next move, the most urgent first.")
    text = [intro, ""]
    for i in items:
        text += [f"- {i.title}", *(f"    {line}" for line in i.lines), *([f"    Open: {i.link}"] if i.link else []), ""]
    msg.set_content("\n".join(text))
    html = "".join(f"<li><p><strong>{escape(i.title)}</strong></p><pre>{escape(chr(10).join(i.lines))}</pre>"
                   + (f'<p><a href="{escape(i.link)}">Open</a></p>' if i.link else "") + "</li>" for i in items)
    msg.add_alternative(f"<html><body><p>{escape(intro)}</p><ul>{html}</ul></body></html>", subtype="html")
    return msg


def _days_after(days: tuple[date, ...], start: date, through: date) -> int:
    return max(0, bisect_right(days, through) - bisect_right(days, start))


async def notice_facts(pool, rows: list[dict], now: datetime) -> dict[int, Facts]:
    """Per outbox row: the district's today, the open step's or phase's due date and school days overdue, and
    when the escalation was raised (read models team_status, district_status, open_escalations, school_days)."""
    teams = {r["payload"].get("team_id") for r in rows if r["payload"].get("team_id")}
    districts = {r["district_id"] for r in rows if r["district_id"]}
    steps = {t["team_id"]: t for t in await pool.fetch(
        "SELECT team_id, step, due_on FROM team_status WHERE team_id = ANY($1::text[])", sorted(teams))}
    phases = {d["district_id"]: d for d in await pool.fetch(
        "SELECT district_id, phase, due_on FROM district_status WHERE district_id = ANY($1::text[])", sorted(districts))}
    raised = dict(await pool.fetch("SELECT escalation_id, raised_on FROM open_escalations WHERE escalation_id = ANY($1::text[])",
                                   sorted({r["payload"].get("escalation_id") or "" for r in rows})))
    hours = await notice_hours(pool, districts)
    out = {}
    for r in rows:
        p, h = r["payload"], hours.get(r["district_id"])
        today = h.local_date(now) if h else None
        open_one = steps.get(p.get("team_id")) if p.get("step") else (
            phases.get(r["district_id"]) if p.get("subject") == "phase" else None)
        key = "step" if p.get("step") else "phase"
        due = open_one["due_on"] if open_one and open_one[key] == p.get(key) else None
        overdue = _days_after(h.days, due, today) if h and due and today else None
        out[r["id"]] = Facts(today, due, overdue, raised.get(p.get("escalation_id")))
    return out
