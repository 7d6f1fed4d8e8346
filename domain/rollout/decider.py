"""``decide(state, command, now)`` for a district rollout: each phase's rules, checked at its gate."""

from collections.abc import Callable
from datetime import date, datetime

from .. import ladder
from ..calendar import next_school_year, school_year_of
from ..district import check_references
from ..errors import InvalidTransition, NotAllowed
from ..ladder import Rung, Watch, fresh_escalation_ids
from ..limits import MAX_COALITION
from ..school.terms import term_named, terms
from . import commands as c
from . import events as ev
from . import notices, people
from .roster_sync import link_school, sync_roster
from .gates import phase_gaps
from .holds import acknowledge, snooze
from . import calendar_end
from .calendar_changes import close_day, open_day, publish
from .people import require_admin
from .launch import check_wave
from .phases import PHASES, Phase, next_phase
from .state import RolloutState, fold


class GateNotPassed(InvalidTransition):
    """A phase's gate lists everything still missing."""


def decide(s: RolloutState, cmd: c.RolloutCommand, now: datetime) -> list[ev.RolloutEvent]:
    if now.tzinfo is None:
        raise ValueError("decide needs an aware instant")
    if s.district is None and not isinstance(cmd, c.StartRollout):
        raise InvalidTransition("This rollout has not been started yet.")
    return _HANDLERS[type(cmd)](s, cmd, now)


# --- who may act, and when ---


def _admin_or_coalition(s: RolloutState, actor: str, doing: str) -> None:
    if actor not in s.district.admins and actor not in s.coalition:
        raise NotAllowed(f"Only the district admins or the guiding coalition of {s.district.name} can {doing}.")


def _reached(s: RolloutState, phase: Phase) -> None:
    if s.phase is None or PHASES.index(s.phase) < PHASES.index(phase):
        raise InvalidTransition(f"The rollout is at {s.phase.label}; {phase.label} comes later.")


def _open(s: RolloutState, phase: Phase, now: datetime, start: date | None = None) -> ev.PhaseOpened:
    cal = s.calendar
    today = start or cal.local_date(now)
    year = school_year_of(cal, today)
    due = cal.add_school_days(today, s.policy.due_school_days[phase])
    if phase is Phase.SUSTAIN and year and (due is None or due > year.end):
        due = cal.last_school_day_on_or_before(year.end)  # each year's reviews are due within that year
    return ev.PhaseOpened(at=now, phase=phase, due_on=due, school_year=year.name if year else None)


def _resolve(s: RolloutState, now: datetime, why: str) -> list[ev.RolloutEvent]:
    return [ev.RolloutEscalationResolved(at=now, escalation_id=s.escalation.id, why=why)] if s.escalation else []


# --- handlers ---


def _start(s: RolloutState, cmd: c.StartRollout, now: datetime):
    if s.district is not None:
        raise InvalidTransition(f"The rollout of {s.district.name} has already started.")
    problems = check_references(cmd.district)
    if problems:
        raise InvalidTransition("The district does not hold together: " + "; ".join(problems))
    if cmd.actor not in cmd.district.admins:
        raise NotAllowed(f"Only a district admin of {cmd.district.name} can start its rollout; {cmd.actor} is not one.")
    started = ev.RolloutStarted(
        at=now, by=cmd.actor, district=cmd.district, calendar=cmd.calendar, rubric=cmd.rubric, policy=cmd.policy,
        school_policy=cmd.school_policy, team_policy=cmd.team_policy,
    )
    s = s.model_copy(update={"calendar": cmd.calendar, "policy": cmd.policy})
    return [started, _open(s, Phase.FORM_COALITION, now)]


def _seat(s: RolloutState, cmd: c.SeatCoalition, now: datetime):
    require_admin(s, cmd.actor, "seat the guiding coalition")
    members = tuple(dict.fromkeys(cmd.members))
    if len(members) > MAX_COALITION:  # every launched team's profile carries the coalition: one limit for both
        raise InvalidTransition(f"A guiding coalition has at most {MAX_COALITION} members; {len(members)} were named.")
    unknown = [m for m in members if s.district.person(m) is None]
    if unknown:
        raise InvalidTransition(f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not on the district's staff list.")
    return [ev.CoalitionSeated(at=now, by=cmd.actor, members=members)]


def _activity(s: RolloutState, cmd: c.RecordInquiryActivity, now: datetime):
    _admin_or_coalition(s, cmd.actor, "record a collective-inquiry activity")
    _reached(s, Phase.BUILD_SHARED_KNOWLEDGE)
    return [ev.InquiryActivityRecorded(at=now, by=cmd.actor, kind=cmd.kind, title=cmd.title, held_on=cmd.held_on)]


def _glossary(s: RolloutState, cmd: c.AdoptGlossary, now: datetime):
    _admin_or_coalition(s, cmd.actor, "adopt the common glossary")
    _reached(s, Phase.BUILD_SHARED_KNOWLEDGE)
    return [ev.GlossaryAdopted(at=now, by=cmd.actor, terms=cmd.terms)]


def _non_negotiables(s: RolloutState, cmd: c.SetNonNegotiables, now: datetime):
    require_admin(s, cmd.actor, "set the district's non-negotiables")
    _reached(s, Phase.BUILD_SHARED_KNOWLEDGE)
    return [ev.NonNegotiablesSet(at=now, by=cmd.actor, items=cmd.items)]


def _align(s: RolloutState, cmd: c.AlignMissionAndVision, now: datetime):
    school = s.district.school(cmd.school_id)
    if school is None:
        raise InvalidTransition(f"{s.district.name} has no school {cmd.school_id}.")
    if cmd.actor not in s.district.admins and cmd.actor != school.principal:
        raise NotAllowed(f"Only {school.principal}, the principal of {school.name}, or a district admin can mark its mission aligned.")
    _reached(s, Phase.BUILD_SHARED_KNOWLEDGE)
    return [ev.MissionAligned(at=now, by=cmd.actor, school_id=cmd.school_id)]


def _session(s: RolloutState, cmd: c.AddLearningSession, now: datetime):
    _admin_or_coalition(s, cmd.actor, "plan professional learning")
    _reached(s, Phase.PLAN_LEARNING)
    term = _calendar_term(s, cmd.term)
    return [ev.LearningSessionAdded(at=now, by=cmd.actor, term=term, topic=cmd.topic, held_on=cmd.held_on)]


def decide_with_free_text_terms(s: RolloutState, cmd: c.RolloutCommand, now: datetime) -> list[ev.RolloutEvent]:
    """``decide`` as it was before terms came from the calendar, for one purpose: replaying the
    histories recorded then, whose learning sessions name free-text terms ("fall"). The district
    workflow picks it behind ``workflow.patched``; nothing new is ever decided with it."""
    if isinstance(cmd, c.AddLearningSession) and s.district is not None:
        _admin_or_coalition(s, cmd.actor, "plan professional learning")
        _reached(s, Phase.PLAN_LEARNING)
        return [ev.LearningSessionAdded(at=now, by=cmd.actor, term=cmd.term, topic=cmd.topic, held_on=cmd.held_on)]
    return decide(s, cmd, now)


def _calendar_term(s: RolloutState, named: str) -> str:
    """The calendar's own term, as the calendar spells it: free text let "fall" and "Fall " count as
    two terms toward the layered plan's gate (issue 8, defect 7)."""
    term = term_named(s.calendar, named)
    if term is None:
        known = [t.name for t in terms(s.calendar)]
        raise InvalidTransition(f"{named!r} is not a term of {s.district.name}'s calendar; its terms are {', '.join(known)}.")
    return term.name


def _norms(s: RolloutState, cmd: c.RecordDistrictNorms, now: datetime):
    require_admin(s, cmd.actor, "record the district office's norms")
    _reached(s, Phase.MODEL_THE_WORK)
    return [ev.DistrictNormsRecorded(at=now, by=cmd.actor, norms=cmd.norms, violation_process=cmd.violation_process)]


def _wave(s: RolloutState, cmd: c.ScheduleWave, now: datetime):
    require_admin(s, cmd.actor, "schedule a launch wave")
    _reached(s, Phase.LAUNCH_WAVES)
    d, today = s.district, s.calendar.local_date(now)
    unknown = [i for i in cmd.school_ids if d.school(i) is None]
    if unknown:
        raise InvalidTransition(f"{d.name} has no school {', '.join(unknown)}.")
    if not s.waves and cmd.kind != "pilot":
        raise InvalidTransition("The first wave launches voluntary pilot teams; schoolwide waves follow it.")
    if s.waves and cmd.kind == "pilot":
        raise InvalidTransition("Only the first wave is a pilot; later waves launch schools schoolwide.")
    already = [i for i in cmd.school_ids if i in {x for w in s.waves if w.kind == "schoolwide" for x in w.school_ids}]
    if cmd.kind == "schoolwide" and already:
        raise InvalidTransition(f"{', '.join(already)} already has a schoolwide wave.")
    if cmd.launch_on < today or (s.waves and cmd.launch_on < s.waves[-1].launch_on):
        raise InvalidTransition("A wave launches after today and after the waves before it.")
    check_wave(s, cmd, now)
    return [ev.WaveScheduled(at=now, by=cmd.actor, number=len(s.waves) + 1, kind=cmd.kind, launch_on=cmd.launch_on,
                             school_ids=cmd.school_ids, pilot_team_ids=cmd.pilot_team_ids)]


def _complete(s: RolloutState, cmd: c.CompletePhase, now: datetime):
    require_admin(s, cmd.actor, "complete a rollout phase")
    if cmd.phase != s.phase:
        raise InvalidTransition(f"The rollout is at {s.phase.label}, not {cmd.phase.label}.")
    gaps = phase_gaps(cmd.phase, s)
    if gaps:
        raise GateNotPassed(f"{cmd.phase.label.capitalize()} is not done; still missing: {'; '.join(gaps)}.")
    done = [ev.PhaseCompleted(at=now, phase=cmd.phase, by=cmd.actor), *_resolve(s, now, f"{cmd.phase.label} was completed")]
    return done + [_open(s, next_phase(cmd.phase), now)]


def _review(s: RolloutState, cmd: c.ReviewSchool, now: datetime):
    _admin_or_coalition(s, cmd.actor, "review and celebrate a school")
    _reached(s, Phase.SUSTAIN)
    if cmd.school_id not in s.schoolwide_schools:
        raise InvalidTransition(f"{cmd.school_id} has not launched schoolwide; there is nothing to review yet.")
    if cmd.school_id in s.reviews.get(s.school_year, ()):
        raise InvalidTransition(f"{cmd.school_id} was already reviewed in {s.school_year}.")
    reviewed = ev.SchoolReviewed(at=now, by=cmd.actor, school_id=cmd.school_id, school_year=s.school_year, celebration=cmd.celebration)
    remaining = set(s.schoolwide_schools) - set(s.reviews.get(s.school_year, ())) - {cmd.school_id}
    return [reviewed, *(_resolve(s, now, f"every school was reviewed in {s.school_year}") if not remaining else [])]


def _roll_up(s: RolloutState, cmd: c.RollUpFromSchool, now: datetime):
    known = s.rolled_up.get(cmd.escalation_id)
    if cmd.level is None:
        return [ev.RolledUpEscalationCleared(at=now, school_id=cmd.school_id, escalation_id=cmd.escalation_id)] if known else []
    if known and known.level == cmd.level:
        return []  # a repeated signal
    return [ev.EscalationRolledUp(at=now, school_id=cmd.school_id, escalation_id=cmd.escalation_id, level=cmd.level, reason=cmd.reason)]


def watch(s: RolloutState) -> Watch | None:
    """The open phase as the ladder sees it; sustain rests once every school is reviewed this year."""
    if s.phase is None:
        return None
    if s.phase is Phase.SUSTAIN and set(s.schoolwide_schools) <= set(s.reviews.get(s.school_year, ())):
        return None
    return Watch(s.calendar, s.policy, s.due_on, s.escalation)


def reached_by(s: RolloutState, rung: Rung) -> tuple[str, ...]:
    return s.district.admins if rung is Rung.DISTRICT_ADMIN else (s.coalition or s.district.admins)


def _phase_tick(s: RolloutState, cmd: c.Tick, now: datetime):
    today = s.calendar.local_date(now)
    out: list[ev.RolloutEvent] = [ev.WaveLaunched(at=now, number=w.number) for w in s.waves if not w.launched and w.launch_on <= today]
    year = school_year_of(s.calendar, today)
    if s.phase is Phase.SUSTAIN and year and year.name != s.school_year:
        return out + _resolve(s, now, f"school year {year.name} began") + [_open(s, Phase.SUSTAIN, now, start=year.start)]
    rung = ladder.rung_due(watch(s), now)
    if rung is not None:
        esc_id = s.escalation.id if s.escalation else next(fresh_escalation_ids(s.district.district_id, s.escalations_raised))
        late = s.calendar.school_days_between(s.due_on, today)
        out.append(ev.RolloutEscalationRaised(
            at=now, escalation_id=esc_id, phase=s.phase, level=rung, reached=reached_by(s, rung), on=today,
            reason=f"{s.phase.label} was due {s.due_on} and is {late} school day(s) overdue",
        ))
    return out


def _tick(s: RolloutState, cmd: c.Tick, now: datetime):
    out = _phase_tick(s, cmd, now)
    # Decided on the state after the phase's events, so an escalation raised in the same tick has its own id.
    return out + calendar_end.raise_due(fold(out, s), now, reached_by)


def decide_before_calendar_end(s: RolloutState, cmd: c.RolloutCommand, now: datetime) -> list[ev.RolloutEvent]:
    """``decide`` as recorded histories decided before the calendar-end escalation (issue 9), for their replay."""
    return _phase_tick(s, cmd, now) if isinstance(cmd, c.Tick) else decide(s, cmd, now)


def next_tick_at(s: RolloutState, now: datetime, with_calendar_end: bool = True) -> datetime | None:
    """The next instant the rollout's clock has something to do: a wave, a school year, a rung
    (and, unless replaying a history from before it, the calendar-end escalation's rung)."""
    if s.calendar is None:
        return None
    cal, notify = s.calendar, s.policy.notify_at
    candidates = [ladder.next_escalation_at(watch(s), now)]
    if with_calendar_end:
        candidates.append(ladder.next_escalation_at(calendar_end.watch(s), now))
    candidates += [cal.at_local(w.launch_on, notify) for w in s.waves if not w.launched]
    if s.phase is Phase.SUSTAIN:
        following = next_school_year(cal, cal.local_date(now))
        candidates.append(cal.at_local(following.start, notify) if following else None)
        current = school_year_of(cal, cal.local_date(now))
        if current and current.name != s.school_year:
            # A year began that the rollout has not opened: its tick was pre-empted (the run
            # continued as new at the boundary first). Due now, or the year is never opened
            # (issue 8, defect 15: "never happened: the district opened the year").
            candidates.append(cal.at_local(current.start, notify))
    return ladder.earliest(candidates, now)


def next_wake_at(s: RolloutState, now: datetime, with_calendar_end: bool = True) -> datetime | None:
    """When the district's clock wakes: its next tick, or the next school year's first morning, whichever
    comes first (at that boundary the district's workflow continues as new)."""
    wake = next_tick_at(s, now, with_calendar_end=with_calendar_end)
    following = next_school_year(s.calendar, s.calendar.local_date(now))
    if following:
        boundary = s.calendar.at_local(following.start, s.policy.notify_at)
        wake = min(wake, boundary) if wake else boundary
    return wake


_HANDLERS: dict[type, Callable] = {
    c.StartRollout: _start,
    c.SeatCoalition: _seat,
    c.RecordInquiryActivity: _activity,
    c.AdoptGlossary: _glossary,
    c.SetNonNegotiables: _non_negotiables,
    c.AlignMissionAndVision: _align,
    c.AddLearningSession: _session,
    c.RecordDistrictNorms: _norms,
    c.ScheduleWave: _wave,
    c.CompletePhase: _complete,
    c.ReviewSchool: _review,
    c.AcknowledgeRolloutEscalation: acknowledge,
    c.SnoozeRolloutEscalation: snooze,
    c.RollUpFromSchool: _roll_up,
    c.Tick: _tick,
    c.PublishCalendar: publish,
    c.CloseSchoolDay: close_day,
    c.OpenSchoolDay: open_day,
    c.AddPerson: people.followed(people.add_person, reached_by),
    c.ChangeRoles: people.followed(people.change_roles, reached_by),
    c.PersonLeaves: people.followed(people.person_leaves, reached_by),
    c.SeatCoalitionMember: people.followed(people.seat_member, reached_by),
    c.UnseatCoalitionMember: people.followed(people.unseat_member, reached_by),
    c.RecordSchoolPrincipal: people.record_school_principal,
    c.SyncRoster: people.followed(sync_roster, reached_by),
    c.LinkSchool: link_school,
    c.SetNoticePreference: notices.set_preference,
}
