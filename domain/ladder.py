"""The escalation ladder: one mechanism for every kind of work that can stall.

A team's step, a district's rollout phase, a school's norms review: each has a
due date on the district calendar and an ordered ladder of rungs. A rung fires
on a school day at the policy's ``notify_at`` local time, at the latest of: its
offset past the due date; the same gap after the rung below actually fired (a
late start does not bunch the ladder up); the end of an acknowledgement or a
snooze. Paused work, or work with no due date, never escalates; neither does a
closed day (DESIGN: winter break and summer do not escalate).
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .calendar import SchoolCalendar
from .errors import InvalidTransition, NotAllowed

# 0 is allowed for a compressed demo policy ("remind on the due morning").
SchoolDays = Annotated[int, Field(ge=0, le=250)]  # a school year has about 180


# How long after the domain's instant each level's clock acts. Teams, schools and the district all
# wake at the district's ``notify_at``; a school a minute after its teams and the district a minute
# after its schools, so each level's morning starts with what the level below reported that morning.
# The workflows' timers (workflows/shell.py) and the simulator (simulation/) both read these.
TEAM_CLOCK_LAG = timedelta(0)
SCHOOL_CLOCK_LAG = timedelta(minutes=1)
DISTRICT_CLOCK_LAG = timedelta(minutes=2)


class Rung(StrEnum):
    TEAM = "team"
    FACILITATOR = "facilitator"
    PRINCIPAL = "principal"
    COALITION = "coalition"
    DISTRICT_ADMIN = "district_admin"


def defaults_merged(**defaults: dict):
    """A field validator: a district file names only the entries it changes; the rest keep their defaults."""

    def merge(cls, value: object, info) -> object:
        base = {getattr(k, "value", k): v for k, v in defaults[info.field_name].items()}
        return {**base, **value} if isinstance(value, dict) else value

    return field_validator(*defaults, mode="before")(classmethod(merge))


class LadderPolicy(BaseModel):
    """The numbers every ladder shares; subclasses fix which rungs, in which order (``LADDER``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
    LADDER: ClassVar[tuple[Rung, ...]] = ()

    ladder_school_days_past_due: dict[Rung, SchoolDays]
    notify_at: time = time(7, 0)
    acknowledge_holds_school_days: Annotated[int, Field(ge=1, le=20)] = 3
    max_snooze_school_days: Annotated[int, Field(ge=1, le=60)] = 10

    @model_validator(mode="after")
    def _ladder_climbs(self) -> "LadderPolicy":
        unknown = [r.value for r in self.ladder_school_days_past_due if r not in self.LADDER]
        if unknown:
            raise ValueError(f"ladder_school_days_past_due names rungs this ladder does not have: {', '.join(unknown)}")
        missing = [r.value for r in self.LADDER if r not in self.ladder_school_days_past_due]
        if missing:
            raise ValueError(f"ladder_school_days_past_due has no entry for {', '.join(missing)}")
        offsets = [self.ladder_school_days_past_due[r] for r in self.LADDER]
        if offsets != sorted(set(offsets)):
            raise ValueError("ladder_school_days_past_due must climb: each rung strictly later than the one below")
        return self

    def offset(self, rung: Rung) -> int:
        return self.ladder_school_days_past_due[rung]


class EscalationRecord(BaseModel):
    """An open escalation, whatever it escalates (a team's step, a rollout phase, a school's clock)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    level: Rung
    raised_on: date
    raised_at: datetime
    reason: str
    reached: tuple[str, ...]  # everyone reached so far, lowest rung first
    held_until: date | None = None
    held_by: str | None = None
    hold: Literal["acknowledged", "snoozed"] | None = None

    def held(self, by: str, until: date, kind: str) -> "EscalationRecord":
        return self.model_copy(update={"held_until": until, "held_by": by, "hold": kind})


Hold = Literal["acknowledged", "snoozed"]


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EscalationRaisedFacts(_Facts):
    """What every aggregate records when a rung fires: one shape for a team's step, a school's clock
    and a rollout phase (issue 8, Structure); each event adds what it escalates (step, subject, phase)."""

    escalation_id: str
    level: Rung
    reached: tuple[str, ...]
    reason: str
    on: date


class EscalationHeldFacts(_Facts):
    """Someone who was reached holds the climb: acknowledged (a few school days) or snoozed (to a date)."""

    escalation_id: str
    hold: Hold
    by: str
    reason: str
    held_until: date


class EscalationResolvedFacts(_Facts):
    escalation_id: str
    why: str


def held(event_type: type, cmd, now: datetime, hold: Hold, until: date):
    """The hold event of any aggregate, built the same way from an acknowledge or snooze command."""
    return event_type(at=now, escalation_id=cmd.escalation_id, hold=hold, by=cmd.actor, reason=cmd.reason, held_until=until)


def escalation_number(escalation_id: str) -> int:
    """The ``n`` of an id ``<owner>.<n>`` (owners are slugs, without dots); 0 for any other shape."""
    n = escalation_id.rpartition(".")[2]
    return int(n) if n.isdigit() else 0


def numbered_through(highest: int, escalation_id: str) -> int:
    """The fold's half of unique ids: the highest escalation number this aggregate ever issued."""
    return max(highest, escalation_number(escalation_id))


def fresh_escalation_ids(owner: str, highest: int, open_ids: Iterable[str] = ()) -> Iterator[str]:
    """The decider's half: ids for escalations raised from now on, numbered past every id issued or still open.

    Issue 8, defect 4: counting escalations to number the next one let a
    re-raise count as new, so a fresh ``.3`` met an open ``.3``. Numbering past
    the highest id ever seen cannot collide; the open ids also cover a state
    carried through continue-as-new from a run that still counted.
    """
    n = max([highest, *(escalation_number(i) for i in open_ids)])
    while True:
        n += 1
        yield f"{owner}.{n}"


@dataclass(frozen=True)
class Watch:
    """One piece of work the ladder watches."""

    calendar: SchoolCalendar
    policy: LadderPolicy
    due_on: date | None
    escalation: EscalationRecord | None


@dataclass(frozen=True)
class NextRung:
    rung: Rung
    on: date  # the school day it fires


def next_rung(w: Watch) -> NextRung | None:
    """The next rung to fire, ignoring the clock."""
    if w.due_on is None:
        return None
    ladder, esc, cal, policy = w.policy.LADDER, w.escalation, w.calendar, w.policy
    current = ladder.index(esc.level) if esc else -1
    if current + 1 >= len(ladder):
        return None
    rung = ladder[current + 1]
    candidates = [cal.add_school_days(w.due_on, policy.offset(rung))]
    if esc:
        candidates.append(cal.add_school_days(esc.raised_on, policy.offset(rung) - policy.offset(esc.level)))
        if esc.held_until:
            candidates.append(cal.next_school_day_on_or_after(esc.held_until))
    if any(c is None for c in candidates):
        return None  # beyond the calendar: nobody can say when school is in session
    return NextRung(rung, max(candidates))


def next_escalation_at(w: Watch | None, now: datetime) -> datetime | None:
    """When to wake to raise the next rung, never on a closed day.

    If the rung is already overdue (a worker was down), wake now when today is
    a school day, else at the next school day's notify time.
    """
    upcoming = next_rung(w) if w else None
    if upcoming is None:
        return None
    cal, notify = w.calendar, w.policy.notify_at
    due = cal.at_local(upcoming.on, notify)
    if due > now:
        return due
    today = cal.local_date(now)
    if cal.is_school_day(today):
        return now
    following = cal.next_school_day_on_or_after(today)
    return cal.at_local(following, notify) if following else None


def rung_due(w: Watch | None, now: datetime) -> Rung | None:
    """The rung to raise at ``now``, if any: due, and today is a school day."""
    upcoming = next_rung(w) if w else None
    if upcoming is None or not w.calendar.is_school_day(w.calendar.local_date(now)):
        return None
    return upcoming.rung if w.calendar.at_local(upcoming.on, w.policy.notify_at) <= now else None


def check_holdable(esc: EscalationRecord | None, escalation_id: str, actor: str, where: str) -> EscalationRecord:
    """Only someone an open escalation reached may hold it, once per rung."""
    if esc is None or esc.id != escalation_id:
        raise InvalidTransition(f"Escalation {escalation_id} is not open on {where}.")
    if actor not in esc.reached:
        raise NotAllowed(f"Escalation {escalation_id} did not reach {actor}; only {', '.join(esc.reached)} can act on it.")
    if esc.hold:
        raise InvalidTransition(f"Escalation {escalation_id} was already {esc.hold} by {esc.held_by} until {esc.held_until}.")
    return esc


def acknowledgement_ends(cal: SchoolCalendar, policy: LadderPolicy, now: datetime) -> date:
    until = cal.add_school_days(cal.local_date(now), policy.acknowledge_holds_school_days)
    if until is None:
        raise InvalidTransition("The school calendar has no school days that far ahead; extend it first.")
    return until


def snooze_ends(cal: SchoolCalendar, policy: LadderPolicy, now: datetime, requested: date) -> date:
    today, limit = cal.local_date(now), policy.max_snooze_school_days
    if requested <= today:
        raise InvalidTransition(f"A snooze must end after today ({today}).")
    until = cal.next_school_day_on_or_after(requested)
    if until is None or cal.school_days_between(today, until) > limit:
        raise InvalidTransition(f"A snooze may last at most {limit} school days (until {cal.add_school_days(today, limit)}).")
    return until


def merge_reached(before: Sequence[str], new: Sequence[str]) -> tuple[str, ...]:
    """Everyone reached so far, lowest rung first, each once."""
    return tuple(before) + tuple(r for r in new if r not in before)


def earliest(candidates, now: datetime) -> datetime | None:
    """The soonest of several wake-up instants (None ignored), never in the past."""
    due = [c for c in candidates if c is not None]
    return max(min(due), now) if due else None
