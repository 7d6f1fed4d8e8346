"""Fixtures for the fault suite: a fresh stack per scenario, and the tally printed at the end.

Run with ``make test-faults`` (``pytest -m faults tests/faults``); ``make test``
deselects these (``-m "not faults"`` in pyproject) because they take minutes.
"""

import time
from dataclasses import dataclass

import pytest

from .ledger import Ledger, Outcome
from .stack import FaultStack, short_tempdir


@dataclass
class Line:
    scenario: str
    outcome: Outcome | None = None
    seconds: float = 0.0
    passed: bool = False
    detail: str = ""  # what the fault hit, e.g. how many commands were in flight
    xfail: str = ""  # the known defect's reason, when pytest counted the failure as expected

    def text(self) -> str:
        if self.outcome is None:
            return f"{self.scenario}: did not reach its checks ({self.seconds:.0f} s)"
        o = self.outcome
        detail = f"; {self.detail}" if self.detail else ""
        verdict = f" XFAIL ({self.xfail})" if self.xfail else "" if self.passed else " FAILED"
        if self.xfail.startswith("XPASS"):
            verdict = f" FAILED ({self.xfail})"
        return (f"{self.scenario}: {o.accepted} commands accepted, lost {o.lost}, duplicated {o.duplicated} "
                f"({self.seconds:.0f} s{detail}){verdict}")


LINES: list[Line] = []


@pytest.fixture
async def stack(request, tmp_path):
    fs = FaultStack(short_tempdir("plcf-"))
    try:
        fs.teams = await fs.start()
        yield fs
    finally:
        failed = getattr(request.node, "fault_failed", True)  # unset: set-up itself failed
        fs.close(keep_logs=tmp_path / "logs" if failed else None)
        if failed:
            print(f"\nlogs of the failed scenario: {tmp_path / 'logs'}")


@pytest.fixture
def ledger(stack) -> Ledger:
    return Ledger(stack.teams)


@pytest.fixture
def tally(request):
    """The scenario's line: the test fills in ``outcome``; passed or not is read from pytest's report."""
    line = Line(request.node.name.removeprefix("test_"))
    started = time.monotonic()
    yield line
    line.seconds = time.monotonic() - started
    LINES.append(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.fault_failed = report.failed
    line = next((v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Line)), None)
    if line is not None and report.when == "call":
        line.passed = report.passed
        line.xfail = getattr(report, "wasxfail", "")
        if report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
            line.xfail = "XPASS: the known defect is fixed, drop its xfail mark"
    return report


def pytest_terminal_summary(terminalreporter):
    if not LINES:
        return
    accepted = sum(ln.outcome.accepted for ln in LINES if ln.outcome)
    lost = sum(ln.outcome.lost for ln in LINES if ln.outcome)
    duplicated = sum(ln.outcome.duplicated for ln in LINES if ln.outcome)
    terminalreporter.write_sep("-", "fault scenarios")
    for ln in LINES:
        terminalreporter.write_line(ln.text())
    unchecked = sum(ln.outcome is None for ln in LINES)
    # The exact form when every scenario reached its checks; never "lost 0" alone when one did not.
    tail = f"; {unchecked} scenario(s) FAILED before their checks" if unchecked else ""
    terminalreporter.write_line(
        f"faults: {len(LINES)} scenarios, {accepted} commands accepted, lost {lost}, duplicated {duplicated}{tail}")
