"""Where a district's webhooks are set: an operator's file named by ``PLCFLOW_WEBHOOKS_FILE`` (issue 10).

Why a file and not an event: an incoming-webhook URL is a secret (anyone who
holds it can post to the channel), and the event log is immutable, replicated
into backups and read by every projection: a URL written there could never be
revoked from it. Like the SMTP password, it is operator configuration, read
once at the notifier's start (a changed file takes effect on restart; the
deployment mounts it as a secret). The file::

    silver-valley:                  # a district id
      - name: coalition             # unique within the district; `plcflow notices retry --hook coalition`
        kind: slack                 # slack | teams | google_chat
        url: https://hooks.slack.com/services/T000/B000/XXXX

A bad file stops the notifier at start with one sentence per problem and exit
code 2 (never a traceback, never the URL itself in the message).
"""

import os
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from activities.webhook_payloads import Hook

from .config import ConfigError

VARIABLE = "PLCFLOW_WEBHOOKS_FILE"
Webhooks = dict[str, tuple[Hook, ...]]
_SHAPE = TypeAdapter(dict[str, list[Hook]])


class WebhooksFileError(ConfigError):
    """The webhooks file cannot work: the notifier prints this one sentence and exits 2."""


def _where(loc: tuple) -> str:
    """A pydantic error location in the file's words: district, hook number (from 1), field."""
    if not loc:
        return "the file"
    parts = [f"district {loc[0]!r}"]
    if len(loc) > 1:
        parts.append(f"hook {loc[1] + 1}" if isinstance(loc[1], int) else str(loc[1]))
    return ", ".join(parts + [str(x) for x in loc[2:]])


def _message(msg: str) -> str:
    return {"Input should be a valid dictionary": "must map district ids to lists of hooks",
            "Input should be a valid list": "must be a list of hooks"}.get(msg, msg.removeprefix("Value error, "))


def parse(text: str, source: str = VARIABLE) -> Webhooks:
    """Validate a webhooks file's text; a WebhooksFileError lists each problem (never a URL)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise WebhooksFileError(f"{source}: not valid YAML ({getattr(err, 'problem', None) or err}).") from None
    if raw is None:
        return {}
    try:
        hooks = _SHAPE.validate_python(raw)
    except ValidationError as err:
        problems = "; ".join(f"{_where(e['loc'])}: {_message(e['msg'])}" for e in err.errors(include_input=False, include_url=False))
        raise WebhooksFileError(f"{source}: {problems}.") from None
    for district, entries in hooks.items():
        names = [h.name for h in entries]
        if twice := sorted({n for n in names if names.count(n) > 1}):
            raise WebhooksFileError(f"{source}: district {district!r} names hook {', '.join(twice)} twice; "
                                    "each hook of a district needs its own name.")
    return {district: tuple(entries) for district, entries in hooks.items() if entries}


def from_env(env: dict[str, str] | None = None) -> Webhooks:
    """The districts' webhooks from ``PLCFLOW_WEBHOOKS_FILE``; unset: none (webhooks are optional)."""
    env = os.environ if env is None else env
    value = env.get(VARIABLE, "").strip()
    if not value:
        return {}
    path = Path(value)
    if not path.is_file():
        raise WebhooksFileError(f"{VARIABLE}={value}: no such file.")
    return parse(path.read_text(), f"{VARIABLE}={value}")
