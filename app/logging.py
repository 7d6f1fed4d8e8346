"""structlog set-up: JSON lines outside a terminal (production, CI), readable colours in one.

Our own loggers and the standard ``logging`` records of the libraries under
us (the Temporal SDK's retry and task-failure warnings, asyncpg, uvicorn) go
through the same processors and renderer, so a log shipper sees one JSON
object per line, tracebacks included as a field (issue 8, defect 12).
"""

import logging
import sys

import structlog


def configure(log_format: str = "auto", level: str = "info") -> None:
    as_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    renderer = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(), structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    _route_stdlib_logging(shared, renderer, as_json)


class _StructlogHandler(logging.StreamHandler):
    """Ours, so a second ``configure`` replaces it instead of printing every line twice."""


def _route_stdlib_logging(shared: list, renderer, as_json: bool) -> None:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # A traceback becomes the "exception" field of the one JSON line; a
            # terminal keeps the console renderer's own readable traceback.
            *([structlog.processors.format_exc_info] if as_json else []),
            renderer,
        ],
    )
    handler = _StructlogHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StructlogHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)  # libraries' info chatter stays out; their warnings and errors come through
