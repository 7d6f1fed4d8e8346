"""The HTTP API: every role's commands as Updates, supervisors' reads from the projections.

Bearer tokens name a user and a district (a supervisor's may narrow to
schools). A user's commands act as that user, and the domain decides what
they may do; a supervisor is read-only. Errors are problem+json; nothing a
refused request sends reaches a workflow's history or the event log.
Routers: api/commands.py (writes), api/reads.py (reads, dashboard),
api/health.py (/healthz); api/access.py decides who reaches what.
With sign-in configured, the same application serves the web app (``web``, issue 11).
"""

from fastapi import FastAPI

from app.config import WebSettings

from . import problems
from .access import Access
from .commands import command_router
from .health import health_router
from .reads import read_router
from .runtime import Runtime
from .simulate import simulate_router


def create_app(rt: Runtime, web: WebSettings | None = None) -> FastAPI:
    app = FastAPI(title="plcflow", version="1", description=__doc__)
    problems.install(app)
    if rt.health:
        app.include_router(health_router(rt.health))
    access = Access(rt)
    app.include_router(command_router(rt, access))
    app.include_router(read_router(rt, access))
    app.include_router(simulate_router(rt, access))
    if web:
        from web.app import mount_web  # the web app's dependencies (authlib, jinja2) load only when it is on

        mount_web(app, rt, web)
    return app
