"""What a district admin sends to pass each gate before the waves, and the waves themselves (seed 001).

The simulated admin sends these (``simulation.people``), and so does the
workflow tests' district story (tests/support/years.py): one script of the
gates' work, not two.
"""

from datetime import date

from domain.district import District, Role
from domain.limits import MAX_COALITION
from domain.rollout import commands as c
from domain.rollout.phases import Phase
from domain.school.terms import terms


def _principals(d: District) -> list[str]:
    """Every principal; in a district too large to seat them all, one per school level and area (seed 001)."""
    if len(d.schools) + len(d.admins) + len(d.departments) + 2 <= MAX_COALITION:
        return [s.principal for s in d.schools]
    return list({(s.level, s.area): s.principal for s in reversed(d.schools)}.values())[::-1]


def coalition_for(d: District) -> tuple[str, ...]:
    """A representative coalition (seed 001): the admins, every principal (or one per level and area), someone
    from each department, a teacher leader, union leadership where staff have one."""
    people = d.people
    seats = [*d.admins, *_principals(d)]
    seats += [next(p.id for p in people if Role.DEPARTMENT_STAFF in p.roles and p.department == dept) for dept in d.departments]
    seats.append(next(p.id for p in people if Role.TEACHER_LEADER in p.roles))
    seats += [p.id for p in people if Role.UNION_LEADER in p.roles]
    return tuple(dict.fromkeys(seats))


def phase_work(start: c.StartRollout, phase: Phase, today: date) -> list[c.RolloutCommand]:
    """The work one gate checks, without the phase's completion."""
    d, admin, cal = start.district, start.actor, start.calendar
    match phase:
        case Phase.FORM_COALITION:
            return [c.SeatCoalition(actor=admin, members=coalition_for(d))]
        case Phase.BUILD_SHARED_KNOWLEDGE:
            return [
                c.RecordInquiryActivity(actor=admin, kind="book_study", title="Learning by Doing", held_on=today),
                c.AdoptGlossary(actor=admin, terms={"PLC": "professional learning community"}),
                c.SetNonNegotiables(actor=admin, items=("Every teacher belongs to a collaborative team",)),
                *(c.AlignMissionAndVision(actor=s.principal, school_id=s.school_id) for s in d.schools),
            ]
        case Phase.PLAN_LEARNING:
            first, second = terms(cal)[:2]
            return [
                c.AddLearningSession(actor=admin, term=first.name, topic="Realistic goals", held_on=today),
                c.AddLearningSession(actor=admin, term=second.name, topic="Prioritizing standards", held_on=today),
            ]
        case Phase.MODEL_THE_WORK:
            return [c.RecordDistrictNorms(actor=admin, norms=("Start on time",), violation_process="Name it; then one to one")]
    return []


GATED = (Phase.FORM_COALITION, Phase.BUILD_SHARED_KNOWLEDGE, Phase.PLAN_LEARNING, Phase.MODEL_THE_WORK)


def gate_commands(start: c.StartRollout, today: date) -> list[c.RolloutCommand]:
    """Everything a district admin sends to reach the launch of waves, gate by gate."""
    return [x for phase in GATED for x in (*phase_work(start, phase, today), c.CompletePhase(actor=start.actor, phase=phase))]


def waves(start: c.StartRollout, pilot_on: date, schoolwide_on: date) -> list[c.ScheduleWave]:
    """A pilot wave of the district file's volunteer teams, then every school schoolwide."""
    d, admin = start.district, start.actor
    pilots = [(s.school_id, t.team_id) for s in d.schools for t in s.teams if t.pilot]
    return [
        c.ScheduleWave(actor=admin, kind="pilot", launch_on=pilot_on, school_ids=tuple(dict.fromkeys(s for s, _ in pilots)),
                       pilot_team_ids=tuple(t for _, t in pilots)),
        c.ScheduleWave(actor=admin, kind="schoolwide", launch_on=schoolwide_on, school_ids=tuple(s.school_id for s in d.schools)),
    ]
