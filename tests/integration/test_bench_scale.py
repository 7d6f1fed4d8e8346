"""``make bench-scale`` runs and measures what it claims (issue 13), at a size a test can afford."""

from bench.scale import main


async def test_the_bench_measures_both_workers_and_times_every_team_answering_after_a_sigkill(capsys):
    figures = await main(20, "warning", chunk=10, recovery_workers=2)  # a worker pair comes back after the SIGKILL
    out = capsys.readouterr().out.strip().splitlines()
    assert "2 new worker(s) after the SIGKILL" in out[-8]
    # It ends with exactly the four lines issue 13 names, in order, each a number.
    names = ["scale_memory_ratio", "scale_cpu_ratio", "scale_start_ratio", "recovery_all_answer_s"]
    assert [line.split(" = ")[0] for line in out[-4:]] == names
    assert all(float(line.split(" = ")[1]) == round(figures[name], 2) for line, name in zip(out[-4:], names, strict=True))
    assert out[-6].split()[:2] == ["raw", "no-op"] and out[-5].split()[:2] == ["plcflow", "team"]
    # Each worker did the work (its own process: CPU and memory grew) and every team answered its status query.
    assert figures["scale_cpu_ratio"] > 0 and figures["scale_start_ratio"] > 0
    assert 0 < figures["recovery_all_answer_s"] < 300
