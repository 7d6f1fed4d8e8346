"""``bench.profile_groups`` sums py-spy samples by who owns the innermost frame (issue 13's profiles)."""

from bench.profile_groups import groups, report

STACKS = """\
run (asyncio/runners.py:190);BaseEventLoop._run_once (asyncio/base_events.py:1922);EpollSelector.select (selectors.py:468) 40
Thread.run (threading.py:982);_worker (concurrent/futures/thread.py:81) 10
_Instance._run_code (temporalio/worker/workflow_sandbox/_runner.py:200) 30
_run_code (temporalio/worker/workflow_sandbox/_runner.py:200);DeciderShell._execute (workflows/shell.py:199);decide (domain/team/decider.py:40) 6
DeciderShell._flush (workflows/shell.py:250);BaseModel.__init__ (pydantic/main.py:281) 9
EventStore.append (activities/event_store.py:150);Connection._do_execute (asyncpg/connection.py:1800) 5
not a sample line
"""


def test_samples_are_summed_by_the_owner_of_their_innermost_frame_leaving_out_threads_waiting_for_work():
    g = groups(STACKS.splitlines(keepends=True))
    assert (g.samples, g.waiting, g.working) == (100, 50, 50)
    assert g.by_owner == {"Temporal SDK": 30, "pydantic": 9, "plcflow": 6, "asyncpg": 5}
    # pydantic and asyncpg called by our shell and our event store count as work plcflow's code did
    assert g.under_ours == 20
    out = report("ours", g)
    assert out.splitlines()[0] == "ours: 100 samples, 50 waiting for work, 50 working"
    assert "  60.0%  Temporal SDK" in out and "  40.0%  with plcflow code on the stack" in out
