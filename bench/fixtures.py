"""The benchmarks' own sample data: a team, a school calendar around today, evidence for each step.

Kept with the benchmarks, not borrowed from ``tests/``, so ``bench`` runs from
an installed product (issue 8). Staff ids only; evidence is aggregate (DESIGN:
student privacy).
"""

from datetime import date, datetime, timedelta

from domain.calendar import SchoolCalendar
from domain.team.commands import Command
from domain.team.decider import decide
from domain.evidence import AggregateResult, DocumentLink, Note, StepEvidence
from domain.team.events import Event
from domain.team.state import TeamState, evolve
from domain.steps import Step
from domain.team.profile import TeamProfile


def calendar_around(today: date) -> SchoolCalendar:
    """A school year that began a month ago and runs most of a year: every clock has room."""
    start = today - timedelta(days=30)
    return SchoolCalendar.model_validate({
        "timezone": "America/Chicago",
        "school_years": [{"name": "bench-year", "start": start.isoformat(), "end": (start + timedelta(days=300)).isoformat()}],
    })


def team(team_id: str, school_id: str = "bench-school", district_id: str = "bench") -> TeamProfile:
    return TeamProfile(
        team_id=team_id, school_id=school_id, district_id=district_id, name="Grade 7 Math", facilitator="a.kennedy",
        members=("t.nelson", "d.slavit", "a.deuel"), principal="p.rivera", coalition=("c.hill", "c.kullar"),
    )


def _result(n: int, metric: str) -> AggregateResult:
    below = n // 3
    return AggregateResult(metric=metric, n=n, counts={"below": below, "approaching": n - 2 * below, "meets": below})


EVIDENCE: dict[Step, StepEvidence] = {
    Step.IDENTIFY_FOCUS: StepEvidence(focus="Multi-step word problems", results=[_result(24, "Unit 2 problem solving")]),
    Step.POSE_QUESTION: StepEvidence(question="Does a visual model routine raise problem-solving scores?"),
    Step.PLAN_ACTION: StepEvidence(measure="Common unit assessment, rubric levels", notes=[Note(text="Three-week routine")]),
    Step.IMPLEMENT: StepEvidence(notes=[Note(text="Routine ran in all four sections")]),
    Step.COLLECT_EVIDENCE: StepEvidence(results=[_result(26, "Unit 3 problem solving")]),
    Step.ANALYZE: StepEvidence(notes=[Note(text="Approaching group moved up most")]),
    Step.REFLECT_AND_DECIDE: StepEvidence(notes=[Note(text="Keep the routine")]),
    Step.SHARE_FINDINGS: StepEvidence(links=[DocumentLink(title="Findings", url="https://drive.example.org/f/1")]),
}


class Fold:
    """A team's events made by the real decider, command by command (to load a log without workflows)."""

    def __init__(self) -> None:
        self.state = TeamState()
        self.log: list[Event] = []

    def run(self, command: Command, at: datetime) -> list[Event]:
        events = decide(self.state, command, at)
        for e in events:
            self.state = evolve(self.state, e)
        self.log += events
        return events
