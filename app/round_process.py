"""How the processes that work in rounds (the projector, the notifier) start: the same five steps for both."""

import asyncio
import signal

import structlog

from app.config import Settings
from app.logging import configure
from app.telemetry import serve_metrics


def start_round_process(settings: Settings, name: str, needs: str):
    """JSON logs, the event log's URL (or exit with why), a stop on SIGINT or SIGTERM, /metrics on
    PLCFLOW_METRICS_ADDRESS. Returns (log, database URL, stop event)."""
    configure(settings.log_format, settings.log_level)
    log = structlog.get_logger(f"plcflow.{name}")
    url = settings.event_store_url()
    if not url:
        raise SystemExit(f"DATABASE_URL is not set: the {name} needs {needs}.")
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    serve_metrics(settings.metrics_address)
    return log, url, stop
