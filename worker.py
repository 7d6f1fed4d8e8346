"""The plcflow worker: runs team workflows and their event-log activity.

Production entry point (``python worker.py``); reads PLCFLOW_* and
DATABASE_URL from the environment. Scale out by running more of these on the
same task queue.
"""

import asyncio
import signal

import asyncpg
import structlog

from app.config import Settings
from app.logging import configure
from app.process import exit_now
from app.readiness import TemporalNotReady, wait_for_namespace
from app.telemetry import serve_metrics
from app.wiring import build_worker, connect_temporal, open_store


async def retrying(connect, what: str, log, attempts: int = 30, delay: float = 2.0):
    for attempt in range(1, attempts + 1):
        try:
            return await connect()
        except (OSError, RuntimeError, asyncpg.PostgresError) as err:
            if attempt == attempts:
                raise
            log.warning("waiting_for_dependency", dependency=what, attempt=attempt, error=str(err))
            await asyncio.sleep(delay)


async def main() -> None:
    settings = Settings.from_env()
    configure(settings.log_format, settings.log_level)
    log = structlog.get_logger("plcflow.worker")
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: the worker needs PostgreSQL for the event log.")
    # Before any client: the SDK's metrics belong to the runtime its clients are built on.
    serve_metrics(settings.metrics_address, temporal_sdk=True)
    # In a fresh deployment PostgreSQL or Temporal may still be starting: keep trying.
    store = await retrying(lambda: open_store(settings.database_url), "postgresql", log)
    client = await retrying(lambda: connect_temporal(settings), "temporal", log)
    try:
        await wait_for_namespace(client)
    except TemporalNotReady as err:
        log.error("temporal_not_ready", error=str(err))
        exit_now(1)  # not a traceback, and not the client's threads aborting teardown (app/process.py)
    worker = build_worker(client, store, task_queue=settings.task_queue, workflow_cache=settings.workflow_cache)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker_started", task_queue=settings.task_queue, temporal=settings.temporal_address,
             namespace=settings.temporal_namespace, workflow_cache=settings.workflow_cache)
    async with worker:
        await stop.wait()
    await store.close()
    log.info("worker_stopped")


if __name__ == "__main__":
    asyncio.run(main())
    exit_now(0)
