"""Laws of calendar changes under an open escalation (issue 9, "Calendars change"), over generated sequences.

After any sequence of snow days and make-up days, decided on the days they are
decided: no rung is due on a closed day, a due date never moves into the past,
and the next rung is exactly the old one carried across by its remaining
school days (elapsed days stay elapsed).
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar_change import closed_on, opened_on, rebase
from domain.errors import InvalidTransition
from domain.escalation import watch
from domain.ladder import next_rung
from domain.team import commands as cmd
from tests.support.builders import local
from tests.unit.test_escalation_rules import started, tick

FAST = settings(max_examples=150, deadline=None)

changes = st.lists(
    st.tuples(
        st.integers(0, 3),  # school moves on this many calendar days before the change
        st.sampled_from(["close", "open"]),
        st.integers(1, 25),  # the day changed, this many days after then
    ),
    min_size=1,
    max_size=8,
)


def changed(cal, kind: str, day: date, today: date):
    change = closed_on if kind == "close" else opened_on
    try:
        return change(cal, day, "Snow" if kind == "close" else "Make-up day", today)
    except InvalidTransition:
        return None  # a change the district is refused leaves nothing to carry


@FAST
@given(changes, st.booleans())
def test_rungs_land_on_school_days_and_keep_their_remaining_school_days(steps, open_escalation):
    s = started()
    today = date(2026, 9, 18)
    if open_escalation:
        today = date(2026, 9, 22)
        tick(s, today)
    for advance, kind, ahead in steps:
        today += timedelta(days=advance)
        if s.state.calendar.is_school_day(today):
            tick(s, today)
        old = s.state.calendar
        new = changed(old, kind, today + timedelta(days=ahead), today)
        if new is None:
            continue
        due_before, rung_before = s.state.due_on, next_rung(watch(s.state))
        s.run(cmd.ChangeCalendar(actor="d.admin", calendar=new), local(today, 10))
        rung_after = next_rung(watch(s.state))
        if rung_after is not None:
            assert new.is_school_day(rung_after.on)
        if due_before is not None:
            assert s.state.due_on is None or s.state.due_on >= min(due_before, today)
        if rung_before is not None:
            expected = rebase(old, new, today, rung_before.on)
            assert (rung_after.on if rung_after else None) == expected
