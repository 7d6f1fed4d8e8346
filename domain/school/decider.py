"""``decide(state, command, now)`` for a school's adoption, and its clocks on the one ladder."""

from collections.abc import Callable
from datetime import datetime

from .. import ladder
from ..calendar_change import rebase
from ..errors import InvalidTransition, NotAllowed
from ..ladder import Rung, Watch
from ..rubric import Assessment
from ..team.policy import TEAM_LADDER
from . import commands as c
from . import events as ev
from . import people
from .state import SchoolEscalation, SchoolState, evolve
from .terms import Term, term_on, terms

ASSESSMENT = "assessment"
ROSTER = "teams:"  # + the school year whose roster of teams awaits confirmation


def decide(s: SchoolState, cmd: c.SchoolCommand, now: datetime) -> list[ev.SchoolEvent]:
    if now.tzinfo is None:
        raise ValueError("decide needs an aware instant")
    if s.school is None and not isinstance(cmd, c.OpenSchool):
        raise InvalidTransition("This school has not been opened yet.")
    return _HANDLERS[type(cmd)](s, cmd, now)


def _term_began(s: SchoolState, term: Term, now: datetime) -> ev.TermBegan:
    cal, p = s.calendar, s.policy
    norms_due = cal.add_school_days(term.start, p.norms_review.due_school_days_into_term)
    length = cal.school_days_between(term.start, term.end)
    assess_due = cal.add_school_days(term.start, max(length - p.self_assessment.due_school_days_before_term_end, 0))
    new_year = s.school_year is not None and term.school_year not in (s.school_year, s.teams_confirmed_year)
    teams_due = cal.add_school_days(term.start, p.team_roster.due_school_days_into_year) if new_year else None
    return ev.TermBegan(at=now, term=term.name, school_year=term.school_year,
                       norms_due_on=min(norms_due, term.end) if norms_due else None, assessment_due_on=assess_due,
                       teams_due_on=teams_due)


def _open(s, cmd: c.OpenSchool, now):
    if s.school is not None:
        raise InvalidTransition(f"{s.school.name} is already open.")
    known = {t.team_id for t in cmd.school.teams}
    if cmd.mode == "pilot" and (not cmd.pilot_team_ids or not set(cmd.pilot_team_ids) <= known):
        raise InvalidTransition(f"A pilot launch names volunteer teams of {cmd.school.name}.")
    opened = ev.SchoolOpened(at=now, by=cmd.actor, district_id=cmd.district_id, school=cmd.school, calendar=cmd.calendar,
                            rubric=cmd.rubric, policy=cmd.policy, team_policy=cmd.team_policy, coalition=cmd.coalition)
    team_ids = cmd.pilot_team_ids if cmd.mode == "pilot" else tuple(sorted(known))
    s = s.model_copy(update={"calendar": cmd.calendar, "policy": cmd.policy})
    term = term_on(cmd.calendar, cmd.calendar.local_date(now))
    began = [_term_began(s, term, now)] if term else []
    return [opened, ev.TeamsLaunched(at=now, mode=cmd.mode, team_ids=team_ids), *began]


def _launch_schoolwide(s, cmd: c.LaunchSchoolwide, now):
    if s.mode == "schoolwide":
        return []  # the district's signal may arrive twice; once is enough
    rest = tuple(sorted(t.team_id for t in s.school.teams if t.team_id not in s.teams))
    return [ev.TeamsLaunched(at=now, mode="schoolwide", team_ids=rest, carried_over=tuple(sorted(s.teams)))]


def _active_team(s, team_id: str):
    team = s.teams.get(team_id)
    if team is None:
        raise InvalidTransition(f"{s.school.name} has no launched team {team_id}.")
    if not team.active:
        raise InvalidTransition(f"{team.spec.name} was retired on {team.retired_on}.")
    return team


def _team_lead(s, team_id: str, actor: str, doing: str) -> None:
    team = _active_team(s, team_id)
    if actor not in (team.spec.facilitator, s.school.principal):
        raise NotAllowed(f"Only {team.spec.facilitator}, the facilitator of {team.spec.name}, or the principal can {doing}.")


def _resolve(s, subject: str, now, why: str) -> list[ev.SchoolEvent]:
    esc = s.escalations.get(subject)
    return [ev.SchoolEscalationResolved(at=now, escalation_id=esc.id, why=why)] if esc else []


def _record_norms(s, cmd: c.RecordNorms, now):
    _team_lead(s, cmd.team_id, cmd.actor, "record its norms")
    recorded = ev.NormsRecorded(at=now, by=cmd.actor, team_id=cmd.team_id, procedural=cmd.procedural,
                               conversational=cmd.conversational, term=s.term)
    return [recorded, *_resolve(s, f"norms:{cmd.team_id}", now, "norms recorded")]


def _review_norms(s, cmd: c.ReviewNorms, now):
    _team_lead(s, cmd.team_id, cmd.actor, "review its norms")
    if not s.teams[cmd.team_id].procedural_norms:
        raise InvalidTransition(f"{s.teams[cmd.team_id].spec.name} has no norms yet; record them first.")
    reviewed = ev.NormsReviewed(at=now, by=cmd.actor, team_id=cmd.team_id, note=cmd.note, term=s.term)
    return [reviewed, *_resolve(s, f"norms:{cmd.team_id}", now, "norms reviewed")]


def _self_assess(s, cmd: c.SelfAssess, now):
    if cmd.actor != s.school.principal:
        raise NotAllowed(f"Only {s.school.principal}, the principal of {s.school.name}, records its self-assessment.")
    if s.assessed_this_term():
        raise InvalidTransition(f"{s.school.name} already self-assessed in {s.term}.")
    problems = s.rubric.problems(cmd.ratings)
    if problems:
        raise InvalidTransition("The self-assessment is incomplete: " + "; ".join(problems) + ".")
    assessment = Assessment(term=s.term, assessed_on=s.calendar.local_date(now), ratings=cmd.ratings)
    return [ev.SelfAssessed(at=now, by=cmd.actor, assessment=assessment), *_resolve(s, ASSESSMENT, now, "self-assessed")]


def _find(s, escalation_id: str) -> SchoolEscalation | None:
    return next((x for x in s.escalations.values() if x.id == escalation_id), None)


def _hold(s, cmd, now, kind: str, until):
    return [ladder.held(ev.SchoolEscalationHeld, cmd, now, kind, until)]


def _ladder_policy(s, subject: str):
    if subject.startswith(ROSTER):
        return s.policy.team_roster
    return s.policy.self_assessment if subject == ASSESSMENT else s.policy.norms_review


def _acknowledge(s, cmd: c.AcknowledgeSchoolEscalation, now):
    esc = ladder.check_holdable(_find(s, cmd.escalation_id), cmd.escalation_id, cmd.actor, s.school.name)
    return _hold(s, cmd, now, "acknowledged", ladder.acknowledgement_ends(s.calendar, _ladder_policy(s, esc.subject), now))


def _snooze(s, cmd: c.SnoozeSchoolEscalation, now):
    esc = ladder.check_holdable(_find(s, cmd.escalation_id), cmd.escalation_id, cmd.actor, s.school.name)
    return _hold(s, cmd, now, "snoozed", ladder.snooze_ends(s.calendar, _ladder_policy(s, esc.subject), now, cmd.until))


def _roll_up(s, cmd: c.RollUpEscalation, now):
    known = s.rolled_up.get(cmd.escalation_id)
    if cmd.level is not None and TEAM_LADDER.index(cmd.level) < TEAM_LADDER.index(s.policy.visible_from):
        return []  # below what this school chose to show
    if cmd.level is None:
        return [ev.TeamEscalationCleared(at=now, team_id=cmd.team_id, escalation_id=cmd.escalation_id)] if known else []
    if known and known.level == cmd.level:
        return []  # a repeated signal
    return [ev.TeamEscalationRolledUp(at=now, team_id=cmd.team_id, escalation_id=cmd.escalation_id, level=cmd.level, reason=cmd.reason)]


def watches(s: SchoolState) -> dict[str, Watch]:
    """Every clock the school runs now: one per team whose norms await this term's review, and the self-assessment."""
    if s.term is None:
        return {}
    out = {
        f"norms:{i}": Watch(s.calendar, s.policy.norms_review, s.norms_due_on, s.escalations.get(f"norms:{i}"))
        for i, t in s.active_teams().items() if t.norms_reviewed_term != s.term
    }
    if s.teams_due_on and s.teams_confirmed_year != s.school_year:
        subject = f"{ROSTER}{s.school_year}"
        out[subject] = Watch(s.calendar, s.policy.team_roster, s.teams_due_on, s.escalations.get(subject))
    if not s.assessed_this_term() and s.mode == "schoolwide":
        out[ASSESSMENT] = Watch(s.calendar, s.policy.self_assessment, s.assessment_due_on, s.escalations.get(ASSESSMENT))
    return out


def reached_by(s: SchoolState, subject: str, rung: Rung) -> tuple[str, ...]:
    if rung is Rung.FACILITATOR:
        facilitator = s.teams[subject.removeprefix("norms:")].spec.facilitator
        return (s.school.principal,) if facilitator in s.departed else (facilitator,)  # issue 9: never nobody
    if rung is Rung.PRINCIPAL:
        return (s.school.principal,)
    return s.coalition or (s.school.principal,)


def _what(subject: str, s) -> str:
    if subject.startswith(ROSTER):
        return f"the confirmation of the teams for {subject.removeprefix(ROSTER)}"
    return "the self-assessment" if subject == ASSESSMENT else f"{s.teams[subject[6:]].spec.name}'s norms review"


def _tick(s, cmd: c.SchoolTick, now):
    today = s.calendar.local_date(now)
    current = term_on(s.calendar, today)
    if current and current.name != s.term and current.start <= today:
        return [*(ev.SchoolEscalationResolved(at=now, escalation_id=e.id, why=f"{current.name} began") for e in s.escalations.values()),
                _term_began(s, current, now)]
    out = []
    fresh = ladder.fresh_escalation_ids(s.school.school_id, s.escalations_raised, (e.id for e in s.escalations.values()))
    for subject, w in watches(s).items():
        rung = ladder.rung_due(w, now)
        if rung is not None:
            esc = s.escalations.get(subject)
            esc_id = esc.id if esc else next(fresh)
            out.append(ev.SchoolEscalationRaised(
                at=now, escalation_id=esc_id, subject=subject, level=rung, reached=reached_by(s, subject, rung), on=today,
                reason=f"{_what(subject, s)} was due {w.due_on} in {s.term}",
            ))
    return out


def next_tick_at(s: SchoolState, now: datetime) -> datetime | None:
    if s.calendar is None:
        return None
    cal = s.calendar
    candidates = [ladder.next_escalation_at(w, now) for w in watches(s).values()]
    upcoming = next((t for t in terms(cal) if t.start > cal.local_date(now)), None)
    if upcoming:
        candidates.append(cal.at_local(upcoming.start, s.policy.norms_review.notify_at))
    return ladder.earliest(candidates, now)


# --- teams over time (issue 9) ---


def _require_principal(s, actor: str, doing: str) -> None:
    if actor != s.school.principal:
        raise NotAllowed(f"Only {s.school.principal}, the principal of {s.school.name}, can {doing}.")


def _form_team(s, cmd: c.FormTeam, now):
    _require_principal(s, cmd.actor, "form a team")
    team = cmd.team
    if any(t.team_id == team.team_id for t in s.school.teams):
        raise InvalidTransition(f"{s.school.name} already has (or had) a team {team.team_id}; team ids are never reused.")
    if team.facilitator not in s.school.teacher_leaders:
        raise InvalidTransition(f"{team.facilitator} is not a teacher leader of {s.school.name}, so cannot facilitate {team.name}.")
    return [ev.TeamFormed(at=now, by=cmd.actor, team=team)]


def _retired(s, team_id: str, by: str, reason: str, now, into: str | None = None) -> list[ev.SchoolEvent]:
    return [*_resolve(s, f"norms:{team_id}", now, "the team retired"),
            ev.SchoolTeamRetired(at=now, by=by, team_id=team_id, reason=reason, merged_into=into)]


def _retire_team(s, cmd: c.RetireTeam, now):
    _require_principal(s, cmd.actor, "retire a team")
    _active_team(s, cmd.team_id)
    return _retired(s, cmd.team_id, cmd.actor, cmd.reason, now)


def _merge_teams(s, cmd: c.MergeTeams, now):
    _require_principal(s, cmd.actor, "merge teams")
    if cmd.team_id == cmd.into:
        raise InvalidTransition("A team cannot be merged into itself.")
    _active_team(s, cmd.team_id)
    into = _active_team(s, cmd.into)
    return _retired(s, cmd.team_id, cmd.actor, f"merged into {into.spec.name}: {cmd.reason}", now, into=cmd.into)


def _confirm_teams(s, cmd: c.ConfirmTeams, now):
    _require_principal(s, cmd.actor, "confirm the school's teams")
    if s.teams_confirmed_year == s.school_year:
        raise InvalidTransition(f"The teams of {s.school.name} for {s.school_year} are already confirmed.")
    unknown = sorted(set(cmd.team_ids) - set(s.active_teams()))
    if unknown:
        raise InvalidTransition(f"{s.school.name} has no active team {', '.join(unknown)}; form a new team first.")
    dropped = sorted(set(s.active_teams()) - set(cmd.team_ids))
    why = f"not in the roster of teams for {s.school_year}"
    return [*(e for t in dropped for e in _retired(s, t, cmd.actor, why, now)),
            ev.TeamsConfirmed(at=now, by=cmd.actor, school_year=s.school_year, team_ids=tuple(sorted(cmd.team_ids))),
            *_resolve(s, f"{ROSTER}{s.school_year}", now, "teams confirmed")]

def _change_calendar(s: SchoolState, cmd: c.ChangeCalendar, now: datetime):
    """Issue 9: the district decided the change; the school carries what remains of its clocks across."""
    if cmd.calendar == s.calendar:
        return []  # a repeated signal
    old, new, today = s.calendar, cmd.calendar, s.calendar.local_date(now)
    return [ev.SchoolCalendarChanged(
        at=now, by=cmd.actor, calendar=new, norms_due_on=rebase(old, new, today, s.norms_due_on),
        assessment_due_on=rebase(old, new, today, s.assessment_due_on),
        held_until={k: rebase(old, new, today, e.held_until) for k, e in s.escalations.items() if e.held_until},
    )]


def _followed(change: Callable) -> Callable:
    """A change of people, then what follows (issue 9): open escalations reach the current holders of their rungs."""

    def handle(s, cmd, now):
        events = change(s, cmd, now)
        after = s
        for e in events:
            after = evolve(after, e)
        return events + _reassigned(after, now)

    return handle


def _reassigned(s: SchoolState, now) -> list[ev.SchoolEvent]:
    out = []
    for subject, esc in s.escalations.items():
        rungs = _ladder_policy(s, subject).LADDER
        reached: tuple[str, ...] = ()
        for rung in rungs[: rungs.index(esc.level) + 1]:
            reached = ladder.merge_reached(reached, reached_by(s, subject, rung))
        if reached != esc.reached:
            out.append(ev.SchoolEscalationReassigned(
                at=now, escalation_id=esc.id, reached=reached, why=f"the people of {s.school.name} changed",
                newly_reached=tuple(r for r in reached if r not in esc.reached),
                no_longer=tuple(r for r in esc.reached if r not in reached)))
    return out


_HANDLERS: dict[type, Callable] = {
    c.ChangePrincipal: _followed(people.change_principal),
    c.AddTeacherLeader: _followed(people.add_teacher_leader),
    c.RetireTeacherLeader: _followed(people.retire_teacher_leader),
    c.ChangeTeamFacilitator: _followed(people.change_team_facilitator),
    c.ApplyDistrictRoster: _followed(people.apply_district_roster),
    c.OpenSchool: _open,
    c.LaunchSchoolwide: _launch_schoolwide,
    c.RecordNorms: _record_norms,
    c.ReviewNorms: _review_norms,
    c.SelfAssess: _self_assess,
    c.AcknowledgeSchoolEscalation: _acknowledge,
    c.SnoozeSchoolEscalation: _snooze,
    c.RollUpEscalation: _roll_up,
    c.SchoolTick: _tick,
    c.FormTeam: _form_team,
    c.RetireTeam: _retire_team,
    c.MergeTeams: _merge_teams,
    c.ConfirmTeams: _confirm_teams,
    c.ChangeCalendar: _change_calendar,
}


def district_roll_ups(before: SchoolState, events) -> list[tuple[str, Rung | None, str]]:
    """What reaches the coalition in this school, for the district to show: (escalation id, level or None, reason)."""
    out = []
    for e in events:
        if isinstance(e, ev.TeamEscalationRolledUp) and e.level is Rung.COALITION:
            out.append((e.escalation_id, e.level, f"{e.team_id}: {e.reason}"))
        elif isinstance(e, ev.TeamEscalationCleared) and getattr(before.rolled_up.get(e.escalation_id), "level", None) is Rung.COALITION:
            out.append((e.escalation_id, None, ""))
        elif isinstance(e, ev.SchoolEscalationRaised) and e.level is Rung.COALITION:
            out.append((e.escalation_id, e.level, e.reason))
        elif isinstance(e, ev.SchoolEscalationResolved):
            esc = next((x for x in before.escalations.values() if x.id == e.escalation_id), None)
            if esc and esc.level is Rung.COALITION:
                out.append((e.escalation_id, None, e.why))
    return out
