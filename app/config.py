"""Configuration from the environment, read once at start-up.

Every knob has a default that runs the embedded stack on one laptop; a
production deployment sets the same names (see README, docker-compose.yml).
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "plcflow"
    database_url: str | None = None
    data_dir: Path = ROOT / "data"
    log_format: str = "auto"  # auto | json | console
    log_level: str = "info"
    workflow_cache: int = 2_000
    metrics_address: str | None = None  # host:port of this process's /metrics (issue 8); unset: none

    def event_store_url(self) -> str | None:
        """DATABASE_URL, or the embedded stack's own PostgreSQL when ``make run`` is up."""
        if self.database_url:
            return self.database_url
        stack = self.data_dir / "stack.json"
        return json.loads(stack.read_text())["database_url"] if stack.exists() else None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        d = cls()
        return cls(
            temporal_address=env.get("PLCFLOW_TEMPORAL_ADDRESS", d.temporal_address),
            temporal_namespace=env.get("PLCFLOW_TEMPORAL_NAMESPACE", d.temporal_namespace),
            task_queue=env.get("PLCFLOW_TASK_QUEUE", d.task_queue),
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("PLCFLOW_DATA_DIR", d.data_dir)),
            log_format=env.get("PLCFLOW_LOG_FORMAT", d.log_format),
            log_level=env.get("PLCFLOW_LOG_LEVEL", d.log_level),
            workflow_cache=int(env.get("PLCFLOW_WORKFLOW_CACHE", d.workflow_cache)),
            metrics_address=env.get("PLCFLOW_METRICS_ADDRESS") or None,
        )
