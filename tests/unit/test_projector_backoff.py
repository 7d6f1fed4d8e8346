"""The projector's retry schedule (issue 8, defect 11): exponential while PostgreSQL is away, capped, reset on success."""

from hypothesis import given, strategies as st

from activities.projector_loop import Backoff


def test_healthy_rounds_run_at_the_interval():
    assert Backoff().delay(0) == 0.1


def test_failed_rounds_wait_longer_each_time_until_the_cap():
    assert [Backoff().delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


@given(st.integers(min_value=1, max_value=10_000))
def test_the_wait_never_exceeds_the_cap_and_never_shrinks_while_failing(failures):
    backoff = Backoff(interval=0.1, first=0.2, cap=3.0)
    assert backoff.first <= backoff.delay(failures) <= backoff.cap
    assert backoff.delay(failures + 1) >= backoff.delay(failures)
