"""The discrete-event loop: the district's deciders driven as their workflows drive them, without an engine.

Issue 12, "Fidelity": no rule lives here. Each stream (the district, each
school, each team) is a decider with a clock, and the loop reproduces what its
workflow does around it (workflows/shell.py ``_keep_clock``, the district's and
the school's launch and report loops):

- a clock wakes at the domain's next instant plus the level's lag
  (``domain.ladder.*_CLOCK_LAG``) and sends the tick command; an instant already
  come is ticked at once, and an activation at or after the instant (a signal
  from below, a person's command) ticks it then, as the workflow's
  ``wait_condition`` does when ``next_wake()`` moves to ``now``;
- a team tells its school what reached the principal (``roll_ups``), a school
  tells its district what reached the coalition (``district_roll_ups``), as
  the workflows' signals do, at the same instant;
- the district launches what its waves owe (``pending_launches``,
  ``school_opening``), a school its teams (``unstarted_teams``,
  ``team_registration``, ``team_start``).

Time is a heap of ``(instant, seq, action)``: nothing is polled day by day.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.errors import DomainError
from domain.escalation import next_escalation_at, roll_ups
from domain.ladder import DISTRICT_CLOCK_LAG, SCHOOL_CLOCK_LAG, TEAM_CLOCK_LAG
from domain.rollout import commands as rc
from domain.rollout.decider import decide as decide_rollout, next_wake_at
from domain.rollout.launch import pending_launches, school_opening, team_registration, team_start, unstarted_teams
from domain.rollout.people import on_school_started, school_changes
from domain.rollout.state import RolloutState, evolve as evolve_rollout
from domain.school import commands as sc
from domain.school.decider import decide as decide_school, district_roll_ups, next_tick_at as school_next_tick
from domain.school.events import SchoolCalendarChanged
from domain.school.people import district_reports, on_team_started, team_changes
from domain.school.state import SchoolState, evolve as evolve_school
from domain.team import commands as tc
from domain.team.decider import decide as decide_team
from domain.team.state import TeamState, evolve as evolve_team

LAUNCHER = "plcflow"
IDLE_RETRY = timedelta(hours=1)  # shell._keep_clock: due yet nothing decided, look again in an hour


@dataclass(eq=False)
class Stream:
    """One aggregate as its workflow holds it: state, the events it recorded, its clock."""

    kind: str  # "district" | "school" | "team"
    key: str  # the district, school or team id
    state: Any
    decide: Callable
    evolve: Callable
    next_wake: Callable[[Any, datetime], datetime | None]
    tick: Callable[[], Any]
    lag: timedelta
    parent: "Stream | None" = None
    events: list = field(default_factory=list)
    started: dict = field(default_factory=dict)  # children started: id -> mode ("team" for teams)
    wake: datetime | None = None  # the domain's instant the armed timer waits for
    gen: int = 0  # bumped when the timer is re-armed: an older heap entry is stale
    idle: bool = False  # ticked at once and decided nothing: waits for a state change or an hour
    busy: bool = False  # inside its own clock loop


class Engine:
    def __init__(self, on_events: Callable[["Engine", Stream, list], None] | None = None):
        self._heap: list = []
        self._seq = 0
        self.now: datetime | None = None
        self.district: Stream | None = None
        self.schools: dict[str, Stream] = {}
        self.teams: dict[str, Stream] = {}
        self.script: list[tuple[datetime, str, str, Any]] = []  # people's accepted commands: (instant, kind, key, command)
        self._on_events = on_events or (lambda *_: None)

    # --- the loop ---

    def at(self, instant: datetime, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (instant, self._seq, action))

    def run(self, until: datetime) -> None:
        while self._heap and self._heap[0][0] <= until:
            instant, _, action = heapq.heappop(self._heap)
            self.now = instant
            action()
        self.now = until

    # --- streams ---

    def start_district(self, start: rc.StartRollout, now: datetime) -> Stream:
        self.now = now
        self.district = Stream("district", start.district.district_id, RolloutState(), decide_rollout, evolve_rollout,
                               next_wake_at, lambda: rc.Tick(actor=LAUNCHER), DISTRICT_CLOCK_LAG)
        self.person(self.district, start)
        return self.district

    def _start_school(self, opening: sc.OpenSchool) -> None:
        s = Stream("school", opening.school.school_id, SchoolState(), decide_school, evolve_school, school_next_tick,
                   sc.SchoolTick, SCHOOL_CLOCK_LAG, parent=self.district)
        self.schools[s.key] = s
        self.execute(s, opening)

    def _start_team(self, school: Stream, team_id: str) -> None:
        registration = team_registration(school.state, team_id)
        t = Stream("team", team_id, TeamState(), decide_team, evolve_team, next_escalation_at, tc.RaiseDueEscalations,
                   TEAM_CLOCK_LAG, parent=school)
        self.teams[team_id] = t
        for command in team_start(registration):
            self.execute(t, command)
        school.started[team_id] = "team"
        self._signal_all(t, [c for _, c in on_team_started(school.state, team_id)])

    # --- commands ---

    def person(self, s: Stream, command) -> list | None:
        """A person's command (a workflow Update): refused, it changes nothing and is not in the script."""
        try:
            events = self.execute(s, command)
        except DomainError:
            return None
        self.script.append((self.now, s.kind, s.key, command))
        return events

    def execute(self, s: Stream, command) -> list:
        before = s.state
        events = s.decide(before, command, self.now)
        for e in events:
            s.state = s.evolve(s.state, e)
        s.events.extend(events)
        if events:
            if s.idle:  # the idle wait ends on a state change: its retry is stale
                s.idle, s.wake, s.gen = False, None, s.gen + 1
            self._route(s, before, events)
            self._on_events(self, s, events)
        self._reclock(s)
        return events

    def _signal(self, to: Stream, command) -> None:
        """A signal between workflows: delivered at this instant, after what is running now; a refusal is logged there."""

        def deliver():
            try:
                self.execute(to, command)
            except DomainError:
                pass

        self.at(self.now, deliver)

    def _signal_all(self, to: Stream, commands) -> None:
        for c in commands:
            self._signal(to, c)

    def _route(self, s: Stream, before, events) -> None:
        if s.kind == "team":
            for up in roll_ups(before.escalation, events):
                self._signal(s.parent, sc.RollUpEscalation(actor=LAUNCHER, team_id=s.key, escalation_id=up.escalation_id,
                                                          level=up.level, reason=up.reason))
        elif s.kind == "school":
            self._route_school(s, before, events)
        else:
            self._route_district(s, events)

    def _route_school(self, s: Stream, before, events) -> None:
        for i, level, why in district_roll_ups(before, events):
            self._signal(s.parent, rc.RollUpFromSchool(actor=LAUNCHER, school_id=s.key, escalation_id=i, level=level, reason=why))
        for e in events:
            if isinstance(e, SchoolCalendarChanged):
                for t in s.started:
                    self._signal(self.teams[t], tc.ChangeCalendar(actor=e.by, calendar=s.state.calendar))
        for team_id, change in team_changes(s.state, events):
            if team_id in self.teams:
                self._signal(self.teams[team_id], change)
        self._signal_all(s.parent, district_reports(s.state, events))
        for team_id in unstarted_teams(s.state, s.started):
            s.started[team_id] = "starting"
            self.at(self.now, lambda team_id=team_id: self._start_team(s, team_id))

    def _route_district(self, d: Stream, events) -> None:
        for change in school_changes(d.state, events):
            for school_id in sorted(d.started):
                self._signal(self.schools[school_id], change)
        for school_id, mode in pending_launches(d.state, d.started):
            if school_id in self.schools:
                self._signal(self.schools[school_id], sc.LaunchSchoolwide(actor=LAUNCHER))
            else:
                self.at(self.now, lambda o=school_opening(d.state, school_id, mode): self._open(d, o))
            d.started[school_id] = mode

    def _open(self, d: Stream, opening: sc.OpenSchool) -> None:
        self._start_school(opening)
        self._signal_all(self.schools[opening.school.school_id], on_school_started(d.state))

    # --- clocks (workflows/shell.py ``_keep_clock``) ---

    def _reclock(self, s: Stream) -> None:
        if s.busy or s.idle:
            return
        s.busy = True
        try:
            while True:
                wake = s.next_wake(s.state, self.now)
                if wake is None or wake > self.now:
                    break
                if not self.execute(s, s.tick()):
                    s.idle = True  # look again after a state change or an hour
                    s.gen += 1
                    s.wake = None
                    self._arm(s, self.now + IDLE_RETRY, s.gen)
                    return
        finally:
            s.busy = False
        if wake != s.wake:
            s.wake, s.gen = wake, s.gen + 1
            if wake is not None:
                self._arm(s, wake + s.lag, s.gen)

    def _arm(self, s: Stream, instant: datetime, gen: int) -> None:
        def fire():
            if s.gen != gen:
                return  # re-armed since
            if s.idle:
                s.idle = False
                s.wake = None
                self._reclock(s)
                return
            s.busy = True
            try:
                self.execute(s, s.tick())
            finally:
                s.busy = False
            s.wake = None
            self._reclock(s)

        self.at(instant, fire)
