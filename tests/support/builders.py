"""Shared test data: a district calendar, a team, evidence that satisfies each step.

Staff ids only; no student data anywhere (evidence is aggregate).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.calendar import SchoolCalendar
from domain.team.commands import RegisterTeam
from domain.evidence import AggregateResult, DocumentLink, Note, StepEvidence
from domain.steps import Step
from domain.team.profile import TeamProfile

TZ = ZoneInfo("America/Los_Angeles")


def calendar() -> SchoolCalendar:
    return SchoolCalendar.model_validate(
        {
            "timezone": "America/Los_Angeles",
            "school_years": [
                {"name": "2026-27", "start": "2026-08-26", "end": "2027-06-11"},
                {"name": "2027-28", "start": "2027-08-25", "end": "2028-06-09"},
            ],
            "closed": [
                {"name": "Thanksgiving break", "start": "2026-11-25", "end": "2026-11-27"},
                {"name": "Winter break", "start": "2026-12-21", "end": "2027-01-01"},
                {"name": "MLK day", "start": "2027-01-18"},
                {"name": "Winter break", "start": "2027-12-20", "end": "2027-12-31"},
            ],
        }
    )


def profile(team_id: str = "g7-math") -> TeamProfile:
    return TeamProfile(
        team_id=team_id,
        school_id="silver-valley-ms",
        district_id="silver-valley",
        name="Grade 7 Math",
        facilitator="a.kennedy",
        members=("t.nelson", "d.slavit", "a.deuel"),
        principal="p.rivera",
        coalition=("c.hill", "c.kullar"),
    )


def register(team_id: str = "g7-math", **policy) -> RegisterTeam:
    return RegisterTeam(actor="district.admin", team=profile(team_id), calendar=calendar(), policy=policy or {})


def local(d: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware instant at a local wall time in the district."""
    return datetime.combine(d, time(hour, minute), tzinfo=TZ)


def result(n: int = 24, metric: str = "Unit 2 problem solving") -> AggregateResult:
    below = n // 3
    return AggregateResult(metric=metric, n=n, counts={"below": below, "approaching": n - 2 * below, "meets": below})


EVIDENCE: dict[Step, StepEvidence] = {
    Step.IDENTIFY_FOCUS: StepEvidence(focus="Multi-step word problems", results=[result()]),
    Step.POSE_QUESTION: StepEvidence(question="Does a visual model routine raise problem-solving scores?"),
    Step.PLAN_ACTION: StepEvidence(
        measure="Common unit assessment, rubric levels", notes=[Note(text="Three-week routine, daily warm-up")]
    ),
    Step.IMPLEMENT: StepEvidence(notes=[Note(text="Routine ran in all four sections")]),
    Step.COLLECT_EVIDENCE: StepEvidence(results=[result(26, "Unit 3 problem solving")]),
    Step.ANALYZE: StepEvidence(notes=[Note(text="Approaching group moved up most")]),
    Step.REFLECT_AND_DECIDE: StepEvidence(notes=[Note(text="Keep the routine")]),
    Step.SHARE_FINDINGS: StepEvidence(links=[DocumentLink(title="Findings", url="https://drive.example.org/f/1")]),
}
