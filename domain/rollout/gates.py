"""What each phase's gate checks, as lists of what is missing (empty: the gate passes).

``gate_checklist`` is the gate as a checklist (what is done and what is missing,
in the same words); ``phase_gaps`` is its missing part, which the decider's
``CompletePhase`` refuses with and the district admin's journey page shows
(issue 11, "its gate's gaps as a checklist"). One function, so the page can
never promise a gate the decider would refuse.
"""

from dataclasses import dataclass

from ..district import District, Role
from . import commands as c
from .phases import Phase


@dataclass(frozen=True)
class GateItem:
    """One thing a gate checks; ``closed_by``: the command that closes it (None: nothing does)."""

    what: str
    done: bool
    closed_by: type | None = None


def coalition_checklist(district: District, seated: tuple[str, ...]) -> list[GateItem]:
    """Representative of the district (seed 001): a principal from each level and area (a small
    district may simply seat all its principals), someone from each department, teacher leaders,
    and union leadership where staff have a union."""
    people = {p.id: p for p in district.people if p.id in seated}
    items = []
    principals = {s.principal for s in district.schools}
    every_principal = principals <= set(seated)
    seated_schools = {district.school(p.school) for p in people.values() if Role.PRINCIPAL in p.roles and p.school}
    covered = {(s.level, s.area) for s in seated_schools if s}
    for level, area in sorted({(s.level, s.area) for s in district.schools}):
        items.append(GateItem(f"a principal from a {level.value} school in the {area} area",
                              every_principal or (level, area) in covered, c.SeatCoalition))
    for dept in district.departments:
        items.append(GateItem(f"someone from the {dept} department",
                              any(Role.DEPARTMENT_STAFF in p.roles and p.department == dept for p in people.values()),
                              c.SeatCoalition))
    items.append(GateItem("a teacher leader", any(Role.TEACHER_LEADER in p.roles for p in people.values()), c.SeatCoalition))
    if district.union:
        items.append(GateItem("union leadership", any(Role.UNION_LEADER in p.roles for p in people.values()), c.SeatCoalition))
    return items


def coalition_gaps(district: District, seated: tuple[str, ...]) -> list[str]:
    return [i.what for i in coalition_checklist(district, seated) if not i.done]


def gate_checklist(phase: Phase, state) -> list[GateItem]:
    """Everything ``phase``'s gate checks on ``state``, done or not, in the order the gate names them."""
    d = state.district
    match phase:
        case Phase.FORM_COALITION:
            seated = GateItem("a seated guiding coalition", bool(state.coalition), c.SeatCoalition)
            return [seated, *coalition_checklist(d, state.coalition)] if state.coalition else [seated]
        case Phase.BUILD_SHARED_KNOWLEDGE:
            return [
                GateItem("a collective-inquiry activity (an institute, a model-school visit, a book study)",
                         bool(state.inquiry_activities), c.RecordInquiryActivity),
                GateItem("a common glossary", bool(state.glossary), c.AdoptGlossary),
                GateItem("the district's non-negotiables", bool(state.non_negotiables), c.SetNonNegotiables),
                *(GateItem(f"{s.school_id}'s mission and vision aligned", s.school_id in state.aligned_schools,
                           c.AlignMissionAndVision) for s in d.schools),
            ]
        case Phase.PLAN_LEARNING:
            terms = {s.term for s in state.sessions}
            return [GateItem("a layered plan: at least two sessions across at least two terms (a one-off session is not a plan)",
                             len(state.sessions) >= 2 and len(terms) >= 2, c.AddLearningSession)]
        case Phase.MODEL_THE_WORK:
            return [GateItem("the district-office team's norms", bool(state.district_norms), c.RecordDistrictNorms),
                    GateItem("its process for norm violations", bool(state.violation_process), c.RecordDistrictNorms)]
        case Phase.LAUNCH_WAVES:
            launched = set(state.schoolwide_schools)
            return [GateItem(f"{s.school_id} launched schoolwide", s.school_id in launched, c.ScheduleWave) for s in d.schools]
        case Phase.SUSTAIN:
            return [GateItem("sustain never closes: it repeats every school year", False)]


def phase_gaps(phase: Phase, state) -> list[str]:
    return [i.what for i in gate_checklist(phase, state) if not i.done]
