"""Digests and what folds into them (issue 10, "A digest for principals and coalition members").

Who receives one: principals and coalition members (weekly by default), and
anyone who chose digests (``domain.rollout.notices``). When: at the district's
``notify_at`` on the first school day of each week, or on every school day for
a daily digest; never on a closed day (``domain.notice_hours``). Each digest
belongs to one period, named so that two notifiers, or one after a crash,
agree on it: a person gets one digest per period.

What folds: a person who prefers digests gets their immediate notices in the
next digest instead, except the top rung of the ladder the notice climbed,
which is always sent at once (a team's: the coalition; a school's or the
district's: the last rung of that ladder). Pure: instants, zones and days come
in as arguments.
"""

from bisect import bisect_right
from datetime import date, datetime, timedelta

from .ladder import Rung
from .notice_hours import NoticeHours
from .rollout.policy import DISTRICT_LADDER
from .school.decider import ROSTER
from .school.policy import ASSESSMENT_LADDER, NORMS_LADDER, ROSTER_LADDER
from .team.policy import TEAM_LADDER

DIGEST_ROLES = ("principal",)  # with the coalition's members: who receives a digest without asking (issue 10)
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
NORMS = "norms:"  # a school's subject for a team's norms review: "norms:<team id>"


def digest_period(hours: NoticeHours, cadence: str, now: datetime) -> str | None:
    """The period whose digest may go out at ``now``, e.g. "weekly:2026-12-14"; None on a closed day,
    before ``notify_at`` on the period's first school day, or in a week with no school day."""
    today = hours.local_date(now)
    if not hours.is_school_day(today):
        return None
    first = today if cadence == "daily" else hours.first_school_day_of_week(today)
    if first is None or now < hours.at_notify(first):
        return None
    return f"{cadence}:{first.isoformat()}"


def school_days_since(hours: NoticeHours, since: date, today: date) -> int:
    """School days after ``since`` up to and including ``today``: how long a team has stood at its step."""
    return max(bisect_right(hours.days, today) - bisect_right(hours.days, since), 0)


def top_rung(stream_kind: str, subject: str | None = None) -> Rung:
    """The last rung of the ladder a notice climbed: never folded into a digest.

    ``stream_kind`` is "team", "school" or "district"; ``subject`` is a school's or district's escalation subject
    (a school: "norms:<team>", "assessment", "teams:<year>"; the district: its phase, "calendar", "coalition")."""
    if stream_kind == "team":
        return TEAM_LADDER[-1]
    if stream_kind == "school":
        subject = subject or ""
        ladder = NORMS_LADDER if subject.startswith(NORMS) else ROSTER_LADDER if subject.startswith(ROSTER) else ASSESSMENT_LADDER
        return ladder[-1]
    return Rung.DISTRICT_ADMIN if subject == "coalition" else DISTRICT_LADDER[-1]  # the coalition gap has one rung
