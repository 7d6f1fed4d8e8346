"""The plcflow projector: keeps the supervisors' read models caught up with the event log.

Production entry point (``python projector.py``, the ``projector`` service);
``make run`` starts it as a child. Reads DATABASE_URL (or the embedded
stack's). Run one per database: per-stream checkpoints make a second one safe
but useless.
"""

import asyncio
import signal

import structlog

from activities.projector_loop import gauge_refresher, project_until
from app.config import Settings
from app.logging import configure
from app.process import exit_now
from app.telemetry import serve_metrics


async def main() -> None:
    settings = Settings.from_env()
    configure(settings.log_format, settings.log_level)
    log = structlog.get_logger("plcflow.projector")
    url = settings.event_store_url()
    if not url:
        raise SystemExit("DATABASE_URL is not set: the projector needs the event log.")
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    serve_metrics(settings.metrics_address)  # lag, parked events, events projected (README: Metrics)
    await project_until(url, stop, log, on_round=gauge_refresher())


if __name__ == "__main__":
    asyncio.run(main())
    exit_now(0)
