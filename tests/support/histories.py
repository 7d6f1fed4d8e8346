"""Recorded workflow histories for the replay test: written only on purpose, never over an older one.

``make record-histories TAG=v3`` runs the recording scenarios with
``PLCFLOW_RECORD_HISTORIES=v3``; each writes ``<name>_v3.json``. An existing
file is never replaced: old histories are the proof that old runs still replay.
"""

import os
from pathlib import Path

from temporalio.client import WorkflowHistory

HISTORIES = Path(__file__).resolve().parents[1] / "workflows" / "histories"
TAG = os.environ.get("PLCFLOW_RECORD_HISTORIES", "")
RECORDING = bool(TAG)


def record(name: str, history: WorkflowHistory) -> Path:
    path = HISTORIES / f"{name}_{TAG}.json"
    if path.exists():
        raise FileExistsError(f"{path.name} exists; recorded histories are kept, record under a new TAG")
    HISTORIES.mkdir(exist_ok=True)
    path.write_text(history.to_json())
    return path
