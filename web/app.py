"""Mounting the web app on the API's FastAPI application (``api.app.create_app``)."""

from fastapi import FastAPI

from app.config import WebSettings

from . import render, session
from .district import district_router
from .district_files import district_files_router
from .oversight import oversight_router
from .pages import pages_router
from .school import school_router
from .signin import signin_router


def mount_web(app: FastAPI, rt, web: WebSettings) -> None:
    session.install(app, web)
    render.install(app)
    app.include_router(signin_router(web, rt.reads))
    # Every router of signed-in pages takes the one ``who`` dependency.
    who = session.person(rt.reads)
    app.include_router(pages_router(rt, who))
    app.include_router(school_router(rt, who))
    app.include_router(oversight_router(rt, who))  # issue 11: supervisors, admins and the coalition read /supervise
    app.include_router(district_router(rt, who))
    app.include_router(district_files_router(rt, who, web.session_secret))  # issue 11: roster import, calendar publish
