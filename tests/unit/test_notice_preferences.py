"""Issue 10, "Preferences per person": immediate or digest, daily or weekly, stored as events like every other change."""

import pytest
from pydantic import ValidationError

from domain.errors import InvalidTransition, NotAllowed
from domain.rollout import commands as c
from domain.rollout import events as ev
from domain.rollout.notices import DEFAULT, preference_of
from domain.rollout.state import NoticePreference
from tests.unit.test_district_people_rules import AT, when
from tests.unit.test_rollout_rules import MON, Rollout


def prefer(actor: str, person_id: str, delivery: str, digest: str = "weekly") -> c.SetNoticePreference:
    return c.SetNoticePreference(actor=actor, person_id=person_id, delivery=delivery, digest=digest)


def test_everyone_starts_with_immediate_notices_and_a_weekly_digest():
    assert preference_of(Rollout().state, "svm.principal") == DEFAULT == NoticePreference(delivery="immediate", digest="weekly")


def test_a_person_chooses_a_daily_digest_for_themself():
    r = when(Rollout(), prefer("svm.teacher1", "svm.teacher1", "digest", "daily")).then(
        ev.NoticePreferenceSet(at=AT, by="svm.teacher1", person_id="svm.teacher1", delivery="digest", digest="daily")
    )
    assert preference_of(r.state, "svm.teacher1") == NoticePreference(delivery="digest", digest="daily")


def test_a_district_admin_chooses_for_someone_else():
    when(Rollout(), prefer("sv.admin", "svm.principal", "immediate", "daily")).then(
        ev.NoticePreferenceSet(at=AT, by="sv.admin", person_id="svm.principal", delivery="immediate", digest="daily")
    )


def test_nobody_else_chooses_for_a_person():
    when(Rollout(), prefer("svm.principal", "svm.teacher1", "digest")).refused(
        NotAllowed, "Only a district admin of Silver Valley School District can choose how someone else's notices reach them; "
                    "svm.principal is not one."
    )


def test_a_person_not_on_the_staff_list_is_refused():
    when(Rollout(), prefer("sv.admin", "x.stranger", "digest")).refused(
        InvalidTransition, "x.stranger is not on the staff list of Silver Valley School District."
    )


def test_a_person_who_left_is_refused():
    r = Rollout()
    r.run(c.PersonLeaves(actor="sv.admin", person_id="svm.teacher4", reason="Retired"), MON)
    when(r, prefer("sv.admin", "svm.teacher4", "digest")).refused(
        InvalidTransition, "svm.teacher4 has left Silver Valley School District; no notices reach them any more."
    )


def test_choosing_what_is_already_chosen_is_refused_and_writes_nothing():
    when(Rollout(), prefer("svm.teacher1", "svm.teacher1", "immediate", "weekly")).refused(
        InvalidTransition, "svm.teacher1's notices already come as they happen (digest: weekly)."
    )
    r = Rollout()
    r.run(prefer("svm.teacher1", "svm.teacher1", "digest", "daily"), MON)
    when(r, prefer("svm.teacher1", "svm.teacher1", "digest", "daily")).refused(
        InvalidTransition, "svm.teacher1's notices already come in a daily digest."
    )


def test_the_last_choice_counts():
    r = Rollout()
    r.run(prefer("svm.teacher1", "svm.teacher1", "digest", "daily"), MON)
    r.run(prefer("sv.admin", "svm.teacher1", "digest", "weekly"), MON)
    assert preference_of(r.state, "svm.teacher1") == NoticePreference(delivery="digest", digest="weekly")
    assert preference_of(r.state, "svm.teacher2") == DEFAULT


@pytest.mark.parametrize("fields", [{"delivery": "sometimes"}, {"delivery": "digest", "digest": "hourly"}, {}])
def test_a_malformed_choice_never_reaches_the_rules(fields):
    with pytest.raises(ValidationError):
        c.SetNoticePreference(actor="sv.admin", person_id="svm.teacher1", **fields)
