"""The plcflow projector: keeps the supervisors' read models caught up with the event log.

Production entry point (``python projector.py``, the ``projector`` service);
``make run`` starts it as a child. Reads DATABASE_URL (or the embedded
stack's). Run one per database: per-stream checkpoints make a second one safe
but useless.
"""

import asyncio

from activities.projector_loop import gauge_refresher, project_until
from app.config import Settings
from app.process import exit_now
from app.round_process import start_round_process


async def main() -> None:
    # /metrics: lag, parked events, events projected (README: Metrics)
    settings = Settings.from_env()
    log, url, stop = start_round_process(settings, "projector", "the event log")
    await project_until(url, stop, log, on_round=gauge_refresher(), listen=settings.projector_listen)


if __name__ == "__main__":
    asyncio.run(main())
    exit_now(0)
