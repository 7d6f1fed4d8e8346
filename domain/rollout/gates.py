"""What each phase's gate checks, as lists of what is missing (empty: the gate passes)."""

from ..district import District, Role
from .phases import Phase


def coalition_gaps(district: District, seated: tuple[str, ...]) -> list[str]:
    """Representative of the district (seed 001): a principal from each level and area (a small
    district may simply seat all its principals), someone from each department, teacher leaders,
    and union leadership where staff have a union."""
    people = {p.id: p for p in district.people if p.id in seated}
    missing = []
    principals = {s.principal for s in district.schools}
    if not principals <= set(seated):
        seated_schools = {district.school(p.school) for p in people.values() if Role.PRINCIPAL in p.roles and p.school}
        covered = {(s.level, s.area) for s in seated_schools if s}
        for level, area in sorted({(s.level, s.area) for s in district.schools}):
            if (level, area) not in covered:
                missing.append(f"a principal from a {level.value} school in the {area} area")
    for dept in district.departments:
        if not any(Role.DEPARTMENT_STAFF in p.roles and p.department == dept for p in people.values()):
            missing.append(f"someone from the {dept} department")
    if not any(Role.TEACHER_LEADER in p.roles for p in people.values()):
        missing.append("a teacher leader")
    if district.union and not any(Role.UNION_LEADER in p.roles for p in people.values()):
        missing.append("union leadership")
    return missing


def phase_gaps(phase: Phase, state) -> list[str]:
    d = state.district
    match phase:
        case Phase.FORM_COALITION:
            return coalition_gaps(d, state.coalition) if state.coalition else ["a seated guiding coalition"]
        case Phase.BUILD_SHARED_KNOWLEDGE:
            missing = []
            if not state.inquiry_activities:
                missing.append("a collective-inquiry activity (an institute, a model-school visit, a book study)")
            if not state.glossary:
                missing.append("a common glossary")
            if not state.non_negotiables:
                missing.append("the district's non-negotiables")
            missing += [f"{s.school_id}'s mission and vision aligned" for s in d.schools if s.school_id not in state.aligned_schools]
            return missing
        case Phase.PLAN_LEARNING:
            terms = {s.term for s in state.sessions}
            if len(state.sessions) < 2 or len(terms) < 2:
                return ["a layered plan: at least two sessions across at least two terms (a one-off session is not a plan)"]
            return []
        case Phase.MODEL_THE_WORK:
            missing = [] if state.district_norms else ["the district-office team's norms"]
            return missing + ([] if state.violation_process else ["its process for norm violations"])
        case Phase.LAUNCH_WAVES:
            launched = set(state.schoolwide_schools)
            return [f"{s.school_id} launched schoolwide" for s in d.schools if s.school_id not in launched]
        case Phase.SUSTAIN:
            return ["sustain never closes: it repeats every school year"]
