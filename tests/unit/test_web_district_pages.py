"""The district rollout page in every phase (web/district.py, issue 11): rendered from rollout states the real
decider reached, for a district admin and for a coalition member, so no phase's page fails where the browser test
does not go (waves and sustain need school launches and a school year's timers)."""

import re
from datetime import date

import pytest

from domain.ladder import Rung
from domain.rollout import commands as c
from domain.rollout.phases import Phase
from tests.unit.test_rollout_rules import (MON, Rollout, through_coalition, through_model_the_work, through_shared_knowledge,
                                           through_the_waves)
from web.district import journey_context
from web.render import templates

COACH = "svm.math-lead"  # on the coalition, no admin
STAGES = {
    Phase.FORM_COALITION: lambda r: None,
    Phase.BUILD_SHARED_KNOWLEDGE: through_coalition,
    Phase.PLAN_LEARNING: through_shared_knowledge,
    Phase.MODEL_THE_WORK: lambda r: (through_shared_knowledge(r),
                                     r.run(c.AddLearningSession(actor=r.admin, term="2026-27 term 1", topic="Goals", held_on=MON), MON),
                                     r.run(c.AddLearningSession(actor=r.admin, term="2026-27 term 2", topic="Standards", held_on=MON), MON),
                                     r.run(c.CompletePhase(actor=r.admin, phase=Phase.PLAN_LEARNING), MON)),
    Phase.LAUNCH_WAVES: through_model_the_work,
    Phase.SUSTAIN: through_the_waves,
}
ADMIN_FORMS = {
    Phase.FORM_COALITION: ["seat_coalition", "complete_phase"],
    Phase.BUILD_SHARED_KNOWLEDGE: ["record_inquiry_activity", "adopt_glossary", "set_non_negotiables", "align_mission",
                                   "complete_phase"],
    Phase.PLAN_LEARNING: ["add_learning_session", "complete_phase"],
    Phase.MODEL_THE_WORK: ["record_district_norms", "complete_phase"],
    Phase.LAUNCH_WAVES: ["schedule_wave", "complete_phase"],
    Phase.SUSTAIN: ["review_school"],
}
COACH_FORMS = {Phase.BUILD_SHARED_KNOWLEDGE: ["record_inquiry_activity", "adopt_glossary"],
               Phase.PLAN_LEARNING: ["add_learning_session"], Phase.SUSTAIN: ["review_school"]}


def rendered(state, actor: str, today: date) -> str:
    context = journey_context(state, actor, today, {}, {}, {})
    return templates.env.get_template("district.html").render(who=None, csrf="t", done=None, **context)


@pytest.mark.parametrize("phase", list(STAGES))
def test_each_phase_offers_its_own_forms_to_whom_the_domain_lets_use_them(phase):
    r = Rollout()
    STAGES[phase](r)
    assert r.state.phase is phase
    html = rendered(r.state, "sv.admin", MON)
    assert re.findall(r'id="form-([a-z_]+)"', html) == ADMIN_FORMS[phase]
    assert f"Now: {phase.label}" in html and 'aria-current="step"' in html
    for select in re.findall(r"<select.*?</select>", html, flags=re.S):
        assert "<option" in select, select  # every choice list offers something to choose
    assert re.findall(r'id="form-([a-z_]+)"', rendered(r.state, COACH, MON)) == COACH_FORMS.get(phase, [])


def test_a_gap_links_to_the_form_that_closes_it_only_for_whom_may_send_it():
    r = Rollout()
    through_coalition(r)
    assert '<a href="#form-adopt_glossary">a common glossary</a>' in rendered(r.state, COACH, MON)
    coach = rendered(r.state, COACH, MON)
    assert "#form-set_non_negotiables" not in coach and "the district&#39;s non-negotiables" in coach


def test_escalations_rolled_up_from_schools_are_shown_to_answer_at_the_school():
    r = Rollout()
    through_coalition(r)
    assert "Escalations from schools" not in rendered(r.state, "sv.admin", MON)
    r.run(c.RollUpFromSchool(actor="plcflow", school_id="silver-valley-ms", escalation_id="svm-math.3",
                             level=Rung.COALITION, reason="identify focus was due 2026-09-10"), MON)
    html = rendered(r.state, COACH, MON)
    assert "silver-valley-ms: at the coalition" in html and "identify focus was due 2026-09-10" in html


def test_a_principal_on_the_coalition_is_offered_only_their_own_school_to_align():
    r = Rollout()
    through_coalition(r)
    html = rendered(r.state, "svm.principal", MON)
    options = re.findall(r'<option value="([a-z-]+)"', html.split('id="form-align_mission"')[1].split("</form>")[0])
    assert options == ["silver-valley-ms"]
    admin = rendered(r.state, "sv.admin", MON)
    assert re.findall(r'<option value="([a-z-]+)"', admin.split('id="form-align_mission"')[1].split("</form>")[0]) == [
        s.school_id for s in r.state.district.schools]


def test_a_form_with_nothing_left_to_choose_is_not_offered():
    r = Rollout()
    through_coalition(r)
    r.run(c.AlignMissionAndVision(actor="svm.principal", school_id="silver-valley-ms"), MON)
    assert 'id="form-align_mission"' not in rendered(r.state, "svm.principal", MON)  # her school is aligned
    assert 'id="form-align_mission"' in rendered(r.state, "sv.admin", MON)  # two schools are left
