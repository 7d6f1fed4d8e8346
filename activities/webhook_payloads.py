"""What a webhook post says, per kind of incoming webhook (issue 10, "Webhooks per district").

A hook is a channel's incoming-webhook URL: Slack, Microsoft Teams or Google
Chat, each a JSON POST. One post lists every item of a send window for one
hook of one district (never one post per escalation). An item names the team,
its school, the step, the rung and who it reached by plcflow person id: never
an email address, an evidence number or anything about a student (issue 10:
"No evidence numbers, no student information, no other team's data").

Shapes, as documented by each vendor:
- Slack: ``{"text": ...}`` in mrkdwn, where ``&``, ``<`` and ``>`` must be escaped.
- Microsoft Teams: ``{"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <AdaptiveCard>}]}``
  (msteams-docs, "Send adaptive cards using an incoming webhook"; the same shape
  is accepted by Teams' Workflows webhooks that replace the retired connectors).
- Google Chat: ``{"text": ...}`` (its own light markup: ``*bold*``).
"""

from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["slack", "teams", "google_chat"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# What an item may carry from its outbox payload: a whitelist, so a field added later never leaks by default.
ITEM_FIELDS = ("team_id", "team_name", "school_id", "school_name", "step", "level", "reason", "gap")
ACTION = "Advance the step, or acknowledge or snooze the escalation with a reason."


class Hook(BaseModel):
    """One incoming webhook of a district. The URL is a secret (anyone holding it can post): never shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    kind: Kind
    url: str = Field(repr=False)

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("url must be an https:// address")
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            raise ValueError("url must use https (plain http only to 127.0.0.1 or localhost, for testing)")
        return url.strip()


def _words(value: str) -> str:
    return value.replace("_", " ")


def line(item: dict, bold=lambda s: s) -> str:
    """One item in plain words: where, what, who it reached (person ids), why."""
    team = item.get("team_name") or item.get("team_id")
    school = item.get("school_name") or item.get("school_id")
    where = f"{bold(team)} ({school})" if team and school else bold(team or school or "the district")
    parts = [where]
    if item.get("kind") == "roster_gap":
        parts.append(f"roster gap: no {item.get('gap', 'members')}")
    if item.get("step"):
        parts.append(f"step: {_words(item['step'])}")
    if item.get("level"):
        parts.append(f"rung: {_words(item['level'])}")
    if item.get("reached"):
        parts.append(f"reached: {', '.join(item['reached'])}")
    if item.get("reason"):
        parts.append(item["reason"])
    return " — ".join(parts)


def heading(district_id: str, count: int) -> str:
    noun = "item needs" if count == 1 else "items need"
    return f"plcflow, {district_id}: {count} {noun} a next move"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(district_id: str, items: Sequence[dict]) -> dict:
    lines = [f"• {line({k: _slack_escape(v) if isinstance(v, str) else v for k, v in i.items()}, lambda s: f'*{s}*')}"
             for i in items]
    return {"text": "\n".join([f"*{_slack_escape(heading(district_id, len(items)))}*", *lines, f"_{ACTION}_"])}


def google_chat(district_id: str, items: Sequence[dict]) -> dict:
    lines = [f"• {line(i, lambda s: f'*{s}*')}" for i in items]
    return {"text": "\n".join([f"*{heading(district_id, len(items))}*", *lines, f"_{ACTION}_"])}


def teams(district_id: str, items: Sequence[dict]) -> dict:
    blocks = [{"type": "TextBlock", "text": heading(district_id, len(items)), "weight": "Bolder", "size": "Medium",
               "wrap": True}]
    blocks += [{"type": "TextBlock", "text": f"- {line(i)}", "wrap": True, "spacing": "Small"} for i in items]
    blocks.append({"type": "TextBlock", "text": ACTION, "wrap": True, "isSubtle": True})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.2", "body": blocks}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


RENDER = {"slack": slack, "teams": teams, "google_chat": google_chat}


def payload(kind: Kind, district_id: str, items: Sequence[dict]) -> dict:
    """The JSON body of one post listing ``items`` for a hook of this kind."""
    return RENDER[kind](district_id, items)


def item_of(kind: str, payload_: dict, reached: Sequence[str], school_name: str | None) -> dict:
    """A post's item from an outbox payload: the whitelisted fields, the kind, and who it reached by id."""
    item = {k: payload_[k] for k in ITEM_FIELDS if payload_.get(k) is not None}
    if school_name:
        item["school_name"] = school_name
    return {**item, "kind": kind, "reached": sorted(set(reached))}
