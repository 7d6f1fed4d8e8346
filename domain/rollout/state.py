"""A district rollout's state: the fold of its events."""

from datetime import date, datetime
from functools import singledispatch
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..calendar import SchoolCalendar
from ..district import District
from ..ladder import EscalationRecord, Rung, merge_reached, numbered_through
from ..team.policy import EscalationPolicy
from ..rubric import Rubric
from ..school.policy import SchoolPolicy
from . import events as ev
from .phases import Phase
from .policy import RolloutPolicy


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Activity(_Frozen):
    kind: str
    title: str
    held_on: date


class Session(_Frozen):
    term: str
    topic: str
    held_on: date


class Wave(_Frozen):
    number: int
    kind: Literal["pilot", "schoolwide"]
    launch_on: date
    school_ids: tuple[str, ...]
    pilot_team_ids: tuple[str, ...] = ()
    launched: bool = False


class PhaseEscalation(EscalationRecord):
    phase: Phase


class CalendarEndEscalation(EscalationRecord):
    last_day: date


class RolledUpEscalation(_Frozen):
    school_id: str
    escalation_id: str
    level: Rung
    reason: str
    since: datetime


class NoticePreference(_Frozen):
    """Issue 10: how a person's notices reach them (``domain.rollout.notices``); the default is everyone's."""

    delivery: Literal["immediate", "digest"] = "immediate"
    digest: Literal["daily", "weekly"] = "weekly"

    def describe(self) -> str:
        if self.delivery == "digest":
            return f"in a {self.digest} digest"
        return f"as they happen (digest: {self.digest})"


class RolloutState(_Frozen):
    version: int = 0
    district: District | None = None
    calendar: SchoolCalendar | None = None
    rubric: Rubric | None = None
    policy: RolloutPolicy = Field(default_factory=RolloutPolicy)
    school_policy: SchoolPolicy = Field(default_factory=SchoolPolicy)
    team_policy: EscalationPolicy = Field(default_factory=EscalationPolicy)
    phase: Phase | None = None
    completed: tuple[Phase, ...] = ()
    due_on: date | None = None
    phase_opened_on: date | None = None  # where a phase's clock counts from (None in states carried from before issue 9)
    school_year: str | None = None
    coalition: tuple[str, ...] = ()
    inquiry_activities: tuple[Activity, ...] = ()
    glossary: dict[str, str] = Field(default_factory=dict)
    non_negotiables: tuple[str, ...] = ()
    aligned_schools: tuple[str, ...] = ()
    sessions: tuple[Session, ...] = ()
    district_norms: tuple[str, ...] = ()
    violation_process: str | None = None
    waves: tuple[Wave, ...] = ()
    reviews: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # school year -> schools reviewed
    escalation: PhaseEscalation | None = None
    escalations_raised: int = 0  # the highest escalation number issued (ids are <district>.<n>); the name is kept for old states
    rolled_up: dict[str, RolledUpEscalation] = Field(default_factory=dict)  # what reached the coalition, by id
    calendar_end: CalendarEndEscalation | None = None  # "next year's calendar is not published" (issue 9)
    departed: tuple[str, ...] = ()  # issue 9: people who left (their history stays in the log)
    coalition_gap: EscalationRecord | None = None  # issue 9: the coalition stopped being representative
    notice_preferences: dict[str, NoticePreference] = Field(default_factory=dict)  # issue 10: chosen, by person

    @property
    def launched_waves(self) -> tuple[Wave, ...]:
        return tuple(w for w in self.waves if w.launched)

    @property
    def schoolwide_schools(self) -> tuple[str, ...]:
        return tuple(s for w in self.launched_waves if w.kind == "schoolwide" for s in w.school_ids)

    @property
    def launched_schools(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for w in self.launched_waves for s in w.school_ids))


def evolve(state: RolloutState, event: ev.RolloutEvent) -> RolloutState:
    return _apply(event, state).model_copy(update={"version": state.version + 1})


def fold(events, state: RolloutState | None = None) -> RolloutState:
    state = state or RolloutState()
    for e in events:
        state = evolve(state, e)
    return state


@singledispatch
def _apply(event, state: RolloutState) -> RolloutState:
    raise TypeError(f"no fold for {type(event).__name__}")


def _set(s: RolloutState, **changes) -> RolloutState:
    return s.model_copy(update=changes)


@_apply.register
def _(e: ev.RolloutStarted, s):
    return _set(s, district=e.district, calendar=e.calendar, rubric=e.rubric, policy=e.policy,
                school_policy=e.school_policy, team_policy=e.team_policy)


@_apply.register
def _(e: ev.PhaseOpened, s):
    return _set(s, phase=e.phase, due_on=e.due_on, school_year=e.school_year, phase_opened_on=s.calendar.local_date(e.at))


@_apply.register
def _(e: ev.PhaseCompleted, s):
    return _set(s, completed=(*s.completed, e.phase))


@_apply.register
def _(e: ev.CoalitionSeated, s):
    return _set(s, coalition=e.members)


@_apply.register
def _(e: ev.InquiryActivityRecorded, s):
    return _set(s, inquiry_activities=(*s.inquiry_activities, Activity(kind=e.kind, title=e.title, held_on=e.held_on)))


@_apply.register
def _(e: ev.GlossaryAdopted, s):
    return _set(s, glossary={**s.glossary, **e.terms})


@_apply.register
def _(e: ev.NonNegotiablesSet, s):
    return _set(s, non_negotiables=e.items)


@_apply.register
def _(e: ev.MissionAligned, s):
    return _set(s, aligned_schools=tuple(dict.fromkeys((*s.aligned_schools, e.school_id))))


@_apply.register
def _(e: ev.LearningSessionAdded, s):
    return _set(s, sessions=(*s.sessions, Session(term=e.term, topic=e.topic, held_on=e.held_on)))


@_apply.register
def _(e: ev.DistrictNormsRecorded, s):
    return _set(s, district_norms=e.norms, violation_process=e.violation_process)


@_apply.register
def _(e: ev.WaveScheduled, s):
    wave = Wave(number=e.number, kind=e.kind, launch_on=e.launch_on, school_ids=e.school_ids,
                pilot_team_ids=e.pilot_team_ids)
    return _set(s, waves=(*s.waves, wave))


@_apply.register
def _(e: ev.WaveLaunched, s):
    return _set(s, waves=tuple(w.model_copy(update={"launched": True}) if w.number == e.number else w for w in s.waves))


@_apply.register
def _(e: ev.SchoolReviewed, s):
    return _set(s, reviews={**s.reviews, e.school_year: (*s.reviews.get(e.school_year, ()), e.school_id)})


@_apply.register
def _(e: ev.RolloutEscalationRaised, s):
    escalation = PhaseEscalation(
        id=e.escalation_id, phase=e.phase, level=e.level, raised_on=e.on, raised_at=e.at, reason=e.reason,
        reached=merge_reached(s.escalation.reached if s.escalation else (), e.reached),
    )
    return _set(s, escalation=escalation, escalations_raised=numbered_through(s.escalations_raised, e.escalation_id))


@_apply.register
def _(e: ev.RolloutEscalationHeld, s):
    if s.calendar_end and s.calendar_end.id == e.escalation_id:  # issue 9: the calendar-end escalation
        return _set(s, calendar_end=s.calendar_end.held(e.by, e.held_until, e.hold))
    return _set(s, escalation=s.escalation.held(e.by, e.held_until, e.hold))


@_apply.register
def _(e: ev.RolloutEscalationResolved, s):
    return _set(s, escalation=None)


@_apply.register
def _(e: ev.EscalationRolledUp, s):
    rolled = RolledUpEscalation(school_id=e.school_id, escalation_id=e.escalation_id, level=e.level, reason=e.reason,
                                since=e.at)
    return _set(s, rolled_up={**s.rolled_up, e.escalation_id: rolled})


@_apply.register
def _(e: ev.RolledUpEscalationCleared, s):
    return _set(s, rolled_up={k: v for k, v in s.rolled_up.items() if k != e.escalation_id})


@_apply.register
def _(e: ev.DistrictCalendarChanged, s):
    escalation = s.escalation.model_copy(update={"held_until": e.held_until}) if s.escalation else None
    return _set(s, calendar=e.calendar, due_on=e.due_on, escalation=escalation)


@_apply.register
def _(e: ev.CalendarEndEscalationRaised, s):
    escalation = CalendarEndEscalation(
        id=e.escalation_id, level=e.level, raised_on=e.on, raised_at=e.at, reason=e.reason, last_day=e.last_day,
        reached=merge_reached(s.calendar_end.reached if s.calendar_end else (), e.reached),
    )
    return _set(s, calendar_end=escalation, escalations_raised=numbered_through(s.escalations_raised, e.escalation_id))


@_apply.register
def _(e: ev.CalendarEndEscalationResolved, s):
    return _set(s, calendar_end=None)


# --- people (issue 9) ---


def _people(s, people) -> "RolloutState":
    return _set(s, district=s.district.model_copy(update={"people": tuple(people)}))


@_apply.register
def _(e: ev.PersonAdded, s):
    return _set(_people(s, (*s.district.people, e.person)), departed=tuple(p for p in s.departed if p != e.person.id))


@_apply.register
def _(e: ev.RolesChanged, s):
    return _people(s, (e.person if p.id == e.person.id else p for p in s.district.people))


@_apply.register
def _(e: ev.PersonLeft, s):
    return _set(_people(s, (p for p in s.district.people if p.id != e.person_id)), departed=(*s.departed, e.person_id))


@_apply.register
def _(e: ev.CoalitionMemberSeated, s):
    return _set(s, coalition=(*s.coalition, e.member))


@_apply.register
def _(e: ev.CoalitionMemberUnseated, s):
    return _set(s, coalition=tuple(m for m in s.coalition if m != e.member))


@_apply.register
def _(e: ev.CoalitionGapRaised, s):
    gap = EscalationRecord(id=e.escalation_id, level=e.level, raised_on=e.on, raised_at=e.at, reason=e.reason, reached=e.reached)
    return _set(s, coalition_gap=gap, escalations_raised=numbered_through(s.escalations_raised, e.escalation_id))


@_apply.register
def _(e: ev.CoalitionGapResolved, s):
    return _set(s, coalition_gap=None)


@_apply.register
def _(e: ev.RolloutEscalationReassigned, s):
    return _set(s, escalation=s.escalation.model_copy(update={"reached": e.reached}))


@_apply.register
def _(e: ev.SchoolPrincipalRecorded, s):
    schools = tuple(x.model_copy(update={"principal": e.principal}) if x.school_id == e.school_id else x for x in s.district.schools)
    return _set(s, district=s.district.model_copy(update={"schools": schools}))


@_apply.register
def _(e: ev.SchoolLinked, s):
    schools = tuple(x.model_copy(update={"sourced_id": e.sourced_id}) if x.school_id == e.school_id else x
                    for x in s.district.schools)
    return _set(s, district=s.district.model_copy(update={"schools": schools}))


@_apply.register
def _(e: ev.NoticePreferenceSet, s):
    return _set(s, notice_preferences={**s.notice_preferences, e.person_id: NoticePreference(delivery=e.delivery, digest=e.digest)})
