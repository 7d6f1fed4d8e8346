"""``make bench-notify`` runs and measures what it claims (issue 10), at a size a test can afford."""

from bench.notify import main, report


async def test_the_bench_delivers_every_notice_once_batched_per_person_and_times_each():
    figures = await main(n=8, notifiers=1, timeout=120)
    # two teams per rung: 3 members, 1 facilitator, 1 principal, 2 coalition members each
    assert figures["notices"] == 2 * (3 + 1 + 1 + 2) and figures["parked"] == 0
    # one message per person per round; only the two coalition members have two items, which a round that
    # began while the appends still ran may split into two messages
    assert figures["people"] == 2 * 3 + 2 + 2 + 2
    assert figures["people"] <= figures["messages"] <= figures["people"] + 2
    assert 0 < figures["notify_delay_p50_s"] <= figures["notify_delay_p99_s"] < 60
    text = report(figures, 1)
    assert f"messages = {figures['messages']}" in text and "notify_delay_p99_s = " in text and "notices_per_s = " in text
