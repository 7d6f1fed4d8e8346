"""Holding a rollout escalation: someone it reached acknowledges or snoozes it (DESIGN, escalation).

The open escalation is the phase's, or the calendar-end one when that is the one named (issue 9).
"""

from datetime import date, datetime

from .. import ladder
from . import commands as c
from . import events as ev
from .state import RolloutState


def _hold(s: RolloutState, cmd, now: datetime, kind: str, until: date):
    return [ladder.held(ev.RolloutEscalationHeld, cmd, now, kind, until)]


def _named(s: RolloutState, escalation_id: str):
    """The phase's escalation, or the calendar-end one (issue 9) when that is the one named."""
    return s.calendar_end if s.calendar_end and s.calendar_end.id == escalation_id else s.escalation


def acknowledge(s: RolloutState, cmd: c.AcknowledgeRolloutEscalation, now: datetime):
    ladder.check_holdable(_named(s, cmd.escalation_id), cmd.escalation_id, cmd.actor, s.district.name)
    return _hold(s, cmd, now, "acknowledged", ladder.acknowledgement_ends(s.calendar, s.policy, now))


def snooze(s: RolloutState, cmd: c.SnoozeRolloutEscalation, now: datetime):
    ladder.check_holdable(_named(s, cmd.escalation_id), cmd.escalation_id, cmd.actor, s.district.name)
    return _hold(s, cmd, now, "snoozed", ladder.snooze_ends(s.calendar, s.policy, now, cmd.until))
