"""The simulated people: what they do, and when, as the domain's events reach them.

Each reaction schedules a command at a wall time of a school day (never on the
ladder's 07:0x minutes, so a person's command never meets a timer). The command
is built and decided when its moment comes: if the work moved on meanwhile
(the step was completed, the escalation resolved), the domain refuses it and
nothing happens, as for a person acting late. Evidence is aggregate only
(no student names or ids).
"""

import random
from datetime import date, datetime, time, timedelta

from domain.calendar import next_school_year, school_year_of
from domain.evidence import AggregateResult, DocumentLink, Note, StepEvidence
from domain.rollout import commands as rc
from domain.rollout import events as rev
from domain.rollout.phases import Phase
from domain.school import commands as sc
from domain.school import events as sev
from domain.steps import LAST_STEP, Step
from domain.team import commands as tc
from domain.team import events as tev

from .behaviour import Behaviour, SchoolDays
from .engine import Engine, Stream
from .gates import GATED, phase_work, waves
from .plan import Plan

GATES, RESPOND, ADVANCE, RULE, NORMS, ASSESS, AFTER_RULING, WAVES, REVIEW, CONFIRM = (
    time(9), time(9, 30), time(10), time(11), time(11, 30), time(12), time(13), time(9, 15), time(15), time(8, 30))

_RESULT = AggregateResult(metric="Unit assessment", n=24, counts={"below": 8, "approaching": 8, "meets": 8})
EVIDENCE: dict[Step, StepEvidence] = {
    Step.IDENTIFY_FOCUS: StepEvidence(focus="Multi-step word problems", results=[_RESULT]),
    Step.POSE_QUESTION: StepEvidence(question="Does a visual model routine raise scores?"),
    Step.PLAN_ACTION: StepEvidence(measure="Common unit assessment", notes=[Note(text="Three-week routine")]),
    Step.IMPLEMENT: StepEvidence(notes=[Note(text="The routine ran in every section")]),
    Step.COLLECT_EVIDENCE: StepEvidence(results=[_RESULT]),
    Step.ANALYZE: StepEvidence(notes=[Note(text="The approaching group moved up most")]),
    Step.REFLECT_AND_DECIDE: StepEvidence(notes=[Note(text="Keep the routine")]),
    Step.SHARE_FINDINGS: StepEvidence(links=[DocumentLink(title="Findings", url="https://docs.example.org/findings")]),
}
REASON = "simulated"


class People:
    """Called with every batch of events a stream records (``Engine(on_events=...)``)."""

    def __init__(self, behaviour: Behaviour, plan: Plan, start: rc.StartRollout, rng: random.Random):
        self.b, self.plan, self.start, self.rng = behaviour, plan, start, rng
        self.cal = start.calendar
        self.awaiting_ruling: set[str] = set()  # teams whose last step waits for the principal
        self._by_type = self._handlers()

    def __call__(self, engine: Engine, s: Stream, events: list) -> None:
        for e in events:
            handler = self._by_type.get(type(e))
            if handler:
                handler(engine, s, e)

    def _handlers(self):
        return {
            tev.StepOpened: self._step_opened, tev.RecommendationProposed: self._recommended,
            tev.RecommendationApproved: self._ruled, tev.RecommendationRejected: self._ruled,
            tev.EscalationRaised: self._respond, sev.SchoolEscalationRaised: self._respond,
            rev.RolloutEscalationRaised: self._respond,
            sev.TermBegan: self._term_began, sev.TeamsLaunched: self._teams_launched,
            rev.PhaseOpened: self._phase_opened, rev.WaveLaunched: self._wave_launched,
        }

    # --- when ---

    def _when(self, after: datetime, dist: SchoolDays | int, wall: time) -> datetime | None:
        """The wall time ``wall`` on the school day ``dist`` school days after ``after``'s day, strictly after ``after``."""
        n = dist if isinstance(dist, int) else dist.sample(self.rng)
        day = self.cal.add_school_days(self.cal.local_date(after), max(n, 0))
        while day is not None and self.cal.at_local(day, wall) <= after:
            day = self.cal.add_school_days(day, 1)
        return None if day is None else self.cal.at_local(day, wall)

    def _on_day(self, engine: Engine, day: date | None, wall: time, act) -> None:
        if day is not None and self.cal.at_local(day, wall) > engine.now:
            engine.at(self.cal.at_local(day, wall), act)

    def _later(self, engine: Engine, after: datetime, dist, wall: time, act) -> None:
        when = self._when(after, dist, wall)
        if when is not None:
            engine.at(when, act)

    # --- teams ---

    def _step_opened(self, engine: Engine, s: Stream, e: tev.StepOpened) -> None:
        self._later(engine, e.at, self.b.steps[e.step], ADVANCE, lambda: self._advance(engine, s, e.cycle, e.step))

    def _advance(self, engine: Engine, s: Stream, cycle: int, step: Step) -> None:
        state = s.state
        if state.cycle != cycle or state.step != step:
            return
        lead = state.team.facilitator or state.team.principal
        if step is Step.REFLECT_AND_DECIDE and not state.decisions:
            kind = "recommendation" if self.rng.random() < self.b.recommendation_share else "lateral"
            engine.person(s, tc.RecordDecision(actor=lead, kind=kind, summary="Regroup for the next unit"))
        if step is LAST_STEP and s.state.pending_recommendations:
            self.awaiting_ruling.add(s.key)
            return
        engine.person(s, tc.AdvanceStep(actor=lead, step=step, evidence=EVIDENCE[step]))

    def _recommended(self, engine: Engine, s: Stream, e: tev.RecommendationProposed) -> None:
        def rule():
            engine.person(s, tc.ApproveRecommendation(actor=s.state.team.principal, recommendation_id=e.recommendation_id,
                                                      reason="Approved for next unit"))

        self._later(engine, e.at, self.b.principal_rules_in, RULE, rule)

    def _ruled(self, engine: Engine, s: Stream, e) -> None:
        if s.key in self.awaiting_ruling:
            self.awaiting_ruling.discard(s.key)
            state = s.state
            self._later(engine, e.at, 0, AFTER_RULING, lambda: self._advance(engine, s, state.cycle, LAST_STEP))

    # --- escalations, on every level ---

    def _respond(self, engine: Engine, s: Stream, e) -> None:
        response = self.b.response(e.level)
        u = self.rng.random()
        if u >= response.acknowledge + response.snooze:
            return  # nobody holds it: it climbs
        snooze = u >= response.acknowledge
        actor = e.reached[0]
        length = max(1, response.snooze_for.sample(self.rng)) if snooze else 0

        def act():
            today = self.cal.local_date(engine.now)
            until = self.cal.add_school_days(today, length) if snooze else None
            if snooze and until is None:
                return
            engine.person(s, _hold(s.kind, actor, e.escalation_id, until))

        self._later(engine, e.at, response.after, RESPOND, act)

    # --- schools ---

    def _term_began(self, engine: Engine, s: Stream, e: sev.TermBegan) -> None:
        for team_id in sorted(s.state.active_teams()):
            self._norms_later(engine, s, team_id, e.at)
        self._assess_later(engine, s)
        if e.teams_due_on is not None:  # a later school year: the principal confirms the teams going on (all of them)
            def confirm():
                if s.state.teams_confirmed_year != s.state.school_year:
                    engine.person(s, sc.ConfirmTeams(actor=s.state.school.principal, team_ids=tuple(sorted(s.state.active_teams()))))

            self._later(engine, e.at, self.b.confirm_teams_in, CONFIRM, confirm)

    def _teams_launched(self, engine: Engine, s: Stream, e: sev.TeamsLaunched) -> None:
        for team_id in e.team_ids:
            self._norms_later(engine, s, team_id, e.at)
        if e.mode == "schoolwide":
            self._assess_later(engine, s)

    def _norms_later(self, engine: Engine, s: Stream, team_id: str, after: datetime) -> None:
        term = s.state.term

        def act():
            team = s.state.teams.get(team_id)
            if team is None or not team.active or s.state.term != term or team.norms_reviewed_term == term:
                return
            lead = team.spec.facilitator
            if team.procedural_norms:
                engine.person(s, sc.ReviewNorms(actor=lead, team_id=team_id, note="Norms still serve us"))
            else:
                engine.person(s, sc.RecordNorms(actor=lead, team_id=team_id, procedural=("Start on time",),
                                                conversational=("Press each other's thinking",)))

        self._later(engine, after, self.b.norms_review_in, NORMS, act)

    def _assess_later(self, engine: Engine, s: Stream) -> None:
        state = s.state
        if state.mode != "schoolwide" or state.assessment_due_on is None or state.assessed_this_term():
            return
        offset = self.b.self_assessment_vs_due.sample(self.rng)
        due = state.assessment_due_on
        day = self.cal.add_school_days(due, offset) if offset >= 0 else _back(self.cal, due, -offset)
        term = state.term

        def act():
            if s.state.term == term and not s.state.assessed_this_term():
                rubric = s.state.rubric
                ratings = {d.id: rubric.levels[1] for d in rubric.dimensions}
                engine.person(s, sc.SelfAssess(actor=s.state.school.principal, ratings=ratings))

        if day is not None and self.cal.at_local(day, ASSESS) <= engine.now:
            day = self.cal.add_school_days(self.cal.local_date(engine.now), 1)
        self._on_day(engine, day, ASSESS, act)

    # --- the district ---

    def _phase_opened(self, engine: Engine, s: Stream, e: rev.PhaseOpened) -> None:
        admin = self.start.actor
        if e.phase in GATED:
            def work():
                today = self.cal.local_date(engine.now)
                for command in [*phase_work(self.start, e.phase, today), rc.CompletePhase(actor=admin, phase=e.phase)]:
                    engine.person(s, command)

            self._later(engine, e.at, self.b.gate_work, GATES, work)
        elif e.phase is Phase.LAUNCH_WAVES:
            self._later(engine, e.at, 0, WAVES, lambda: self._schedule_waves(engine, s))
        elif e.phase is Phase.SUSTAIN:
            for school_id in sorted(s.state.schoolwide_schools):
                def review(school_id=school_id):
                    engine.person(s, rc.ReviewSchool(actor=admin, school_id=school_id, celebration="A year of inquiry"))

                self._later(engine, e.at, self.b.review_in, REVIEW, review)

    def _schedule_waves(self, engine: Engine, s: Stream) -> None:
        """The plan's waves, on its school days of the year, or as soon as the gates let them (after today)."""
        first = _school_day_of(self.cal, engine.now, self.plan.pilot_wave_school_day)
        second = _school_day_of(self.cal, engine.now, self.plan.schoolwide_wave_school_day)
        tomorrow = self.cal.add_school_days(self.cal.local_date(engine.now), 1)
        pilot_on = max(d for d in (first, tomorrow) if d)
        schoolwide_on = max(d for d in (second, self.cal.add_school_days(pilot_on, 1)) if d)
        for command in waves(self.start, pilot_on, schoolwide_on):
            engine.person(s, command)

    def _wave_launched(self, engine: Engine, s: Stream, e: rev.WaveLaunched) -> None:
        wave = next(w for w in s.state.waves if w.number == e.number)
        if wave.kind == "schoolwide":
            self._later(engine, e.at, self.b.gate_work, GATES,
                        lambda: engine.person(s, rc.CompletePhase(actor=self.start.actor, phase=Phase.LAUNCH_WAVES)))


def _hold(kind: str, actor: str, escalation_id: str, until: date | None):
    if kind == "team":
        return (tc.SnoozeEscalation(actor=actor, escalation_id=escalation_id, until=until, reason=REASON) if until
                else tc.AcknowledgeEscalation(actor=actor, escalation_id=escalation_id, reason=REASON))
    if kind == "school":
        return (sc.SnoozeSchoolEscalation(actor=actor, escalation_id=escalation_id, until=until, reason=REASON) if until
                else sc.AcknowledgeSchoolEscalation(actor=actor, escalation_id=escalation_id, reason=REASON))
    return (rc.SnoozeRolloutEscalation(actor=actor, escalation_id=escalation_id, until=until, reason=REASON) if until
            else rc.AcknowledgeRolloutEscalation(actor=actor, escalation_id=escalation_id, reason=REASON))


def _back(cal, day: date, n: int) -> date | None:
    """The school day ``n`` school days before ``day``."""
    for _ in range(n):
        day = cal.last_school_day_on_or_before(day - timedelta(days=1)) or day
    return day


def _school_day_of(cal, now: datetime, n: int) -> date | None:
    """The ``n``-th school day (1-based) of the school year ``now`` falls in (or the next one, in a summer)."""
    today = cal.local_date(now)
    year = school_year_of(cal, today)
    if year is None or year.end < today:
        year = next_school_year(cal, today)
    if year is None:
        return None
    first = cal.next_school_day_on_or_after(year.start)
    return cal.add_school_days(first, n - 1) if first else None
