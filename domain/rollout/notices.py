"""How each person's notices reach them (issue 10, "Preferences per person"): at once, or in a digest.

A person chooses for themself; a district admin may choose for anyone (the
admins own the staff list, ``people.require_admin``). Stored as an event like
every other change (issue 10: "stored as events like every other change"), so
the choice is in the log and the read model ``notice_preferences`` is a fold
of it. The default is immediate notices with a weekly digest, which only
principals and coalition members receive unless they chose a digest.
Whatever the choice, the top rung of a ladder is always sent at once
(``domain.digests.top_rung``).
"""

from datetime import datetime

from ..errors import InvalidTransition
from . import commands as c
from . import events as ev
from .people import require_admin
from .state import NoticePreference, RolloutState

DEFAULT = NoticePreference()


def preference_of(s: RolloutState, person_id: str) -> NoticePreference:
    return s.notice_preferences.get(person_id, DEFAULT)


def set_preference(s: RolloutState, cmd: c.SetNoticePreference, now: datetime) -> list[ev.RolloutEvent]:
    if cmd.actor != cmd.person_id:
        require_admin(s, cmd.actor, "choose how someone else's notices reach them")
    if s.district.person(cmd.person_id) is None:
        if cmd.person_id in s.departed:
            raise InvalidTransition(f"{cmd.person_id} has left {s.district.name}; no notices reach them any more.")
        raise InvalidTransition(f"{cmd.person_id} is not on the staff list of {s.district.name}.")
    wanted = NoticePreference(delivery=cmd.delivery, digest=cmd.digest)
    if wanted == preference_of(s, cmd.person_id):
        raise InvalidTransition(f"{cmd.person_id}'s notices already come {wanted.describe()}.")
    return [ev.NoticePreferenceSet(at=now, by=cmd.actor, person_id=cmd.person_id, delivery=cmd.delivery, digest=cmd.digest)]
