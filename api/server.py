"""Serving the HTTP API (``plcflow serve``): one wiring for Temporal, the event store and tokens."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from activities.read_models import ReadModels
from activities.tokens import TokenStore
from app.config import Settings
from app.health import run_checks
from app.telemetry import serve_metrics
from app.wiring import clients_for, connect_temporal, open_store

from .app import create_app
from .runtime import Runtime


def production_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    holder: dict = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        url = settings.event_store_url()
        if not url:
            raise SystemExit("no event store: set DATABASE_URL, or start `make run`")
        serve_metrics(settings.metrics_address)  # commands accepted and refused, by command
        store = await open_store(url)
        client = await connect_temporal(settings)
        clients = clients_for(client, settings)
        rt = Runtime(clients.teams, clients.districts,
                     ReadModels(store.pool), TokenStore(store.pool),
                     health=lambda quick: run_checks(settings, pool=store.pool, client=client, quick=quick), events=store)
        holder["app"] = create_app(rt, settings.web)
        app.mount("/", holder["app"])
        yield
        await store.close()

    return FastAPI(title="plcflow", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
