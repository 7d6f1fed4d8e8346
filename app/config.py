"""Configuration from the environment, read once at start-up.

Every knob has a default that runs the embedded stack on one laptop; a
production deployment sets the same names (see README, docker-compose.yml).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class ConfigError(SystemExit):
    """A setting that cannot work: the message names the variable and what is wrong with it.

    A SystemExit, so every entry point (worker, projector, API, CLI, ``make run``)
    stops at start-up with this one sentence on stderr instead of a traceback.
    """

    def __init__(self, message: str):
        super().__init__(f"configuration: {message}")


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in TRUE | FALSE:
        raise ConfigError(f"{name}={env[name]!r} is neither true nor false (use 1/true/yes or 0/false/no).")
    return value in TRUE


def _file(env: dict[str, str], name: str) -> Path | None:
    """A path setting whose file must exist now: a missing certificate is a start-up error, not a retry loop."""
    value = env.get(name, "").strip()
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"{name}={value}: no such file.")
    return path


@dataclass(frozen=True)
class Settings:
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    # TLS / mTLS / API key towards Temporal (self-hosted with TLS, or Temporal Cloud; issue 8).
    temporal_tls: bool = False
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_server_name: str | None = None
    temporal_api_key: str | None = field(default=None, repr=False)  # a secret: never in a log line
    task_queue: str = "plcflow"
    database_url: str | None = None
    data_dir: Path = ROOT / "data"
    log_format: str = "auto"  # auto | json | console
    log_level: str = "info"
    workflow_cache: int = 2_000
    metrics_address: str | None = None  # host:port of this process's /metrics (issue 8); unset: none
    projector_listen: bool = True  # issue 13: LISTEN for appends (off: poll only, e.g. behind a pooler that cannot LISTEN)
    # The notifier's SMTP server (issue 10); STARTTLS and implicit TLS are exclusive.
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)  # a secret: never in a log line
    smtp_from: str = "plcflow@localhost"
    # Each person's send window (issue 10, bursts): their rows wait this long from the first one, then go out
    # as one email. Under the benchmark's p99 target of 60 s (activities.notice_claim).
    notify_window_s: float = 30.0
    # Where people open the API/dashboard; the emails link to it (issue 10). Unset: no link.
    public_url: str | None = None
    mail_sink_port: int | None = None  # `make run`'s local SMTP sink (app/mail_sink.py); unset: a free port
    # `make run`'s web app and local identity provider (app/web_stack.py); unset: 8000 and 9400, or a free port.
    web_port: int | None = None
    oidc_port: int | None = None
    web: "WebSettings | None" = None  # sign-in for the web app (issue 11); None: pages off, the API stays

    def event_store_url(self) -> str | None:
        """DATABASE_URL, or the embedded stack's own PostgreSQL when ``make run`` is up."""
        if self.database_url:
            return self.database_url
        stack = self.data_dir / "stack.json"
        return json.loads(stack.read_text())["database_url"] if stack.exists() else None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Read and check every setting; raises ConfigError with one sentence for one that cannot work."""
        env = dict(os.environ if env is None else env)
        d = cls()
        return cls(
            temporal_address=env.get("PLCFLOW_TEMPORAL_ADDRESS", d.temporal_address),
            temporal_namespace=env.get("PLCFLOW_TEMPORAL_NAMESPACE", d.temporal_namespace),
            **_temporal_security(env),
            task_queue=env.get("PLCFLOW_TASK_QUEUE", d.task_queue),
            database_url=_database_url(env),
            data_dir=Path(env.get("PLCFLOW_DATA_DIR", d.data_dir)),
            log_format=env.get("PLCFLOW_LOG_FORMAT", d.log_format),
            log_level=env.get("PLCFLOW_LOG_LEVEL", d.log_level),
            workflow_cache=int(env.get("PLCFLOW_WORKFLOW_CACHE", d.workflow_cache)),
            metrics_address=env.get("PLCFLOW_METRICS_ADDRESS") or None,
            projector_listen=_flag(env, "PLCFLOW_PROJECTOR_LISTEN", True),
            **_smtp(env),
            **_notices(env),
            mail_sink_port=_port(env, "PLCFLOW_MAIL_SINK_PORT"),
            web_port=_port(env, "PLCFLOW_WEB_PORT"),
            oidc_port=_port(env, "PLCFLOW_OIDC_PORT"),
            web=web_settings(env),
        )


def _temporal_security(env: dict[str, str]) -> dict:
    """The TLS settings; TLS is on when asked for, or when a certificate or an API key implies it."""
    files = {name: _file(env, f"PLCFLOW_TEMPORAL_TLS_{name.upper()}") for name in ("ca", "cert", "key")}
    api_key = env.get("PLCFLOW_TEMPORAL_API_KEY", "").strip() or None
    server_name = env.get("PLCFLOW_TEMPORAL_TLS_SERVER_NAME", "").strip() or None
    implied = any(files.values()) or api_key is not None or server_name is not None
    tls = _flag(env, "PLCFLOW_TEMPORAL_TLS", default=implied)
    if implied and not tls:
        raise ConfigError("PLCFLOW_TEMPORAL_TLS is off, but a TLS file, server name or API key is set: "
                          "an API key or a certificate must not travel in clear text.")
    if (files["cert"] is None) != (files["key"] is None):
        raise ConfigError("PLCFLOW_TEMPORAL_TLS_CERT and PLCFLOW_TEMPORAL_TLS_KEY go together (mTLS): set both or neither.")
    return {"temporal_tls": tls, "temporal_tls_ca": files["ca"], "temporal_tls_cert": files["cert"],
            "temporal_tls_key": files["key"], "temporal_tls_server_name": server_name, "temporal_api_key": api_key}


def _port(env: dict[str, str], name: str) -> int | None:
    port = env.get(name, "").strip()
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ConfigError(f"{name}={port!r} is not a port number (1 to 65535).")
    return int(port) if port else None


def _smtp(env: dict[str, str]) -> dict:
    """PLCFLOW_SMTP_*: where the notifier hands its email (issue 10)."""
    port = _port(env, "PLCFLOW_SMTP_PORT")
    starttls, tls = _flag(env, "PLCFLOW_SMTP_STARTTLS", False), _flag(env, "PLCFLOW_SMTP_TLS", False)
    if starttls and tls:
        raise ConfigError("PLCFLOW_SMTP_STARTTLS and PLCFLOW_SMTP_TLS are both on: a server speaks one (587: STARTTLS, 465: TLS).")
    user = env.get("PLCFLOW_SMTP_USER", "").strip() or None
    password = env.get("PLCFLOW_SMTP_PASSWORD") or None
    if password is not None and user is None:
        raise ConfigError("PLCFLOW_SMTP_PASSWORD is set but PLCFLOW_SMTP_USER is not: set both or neither.")
    if password is not None and not (starttls or tls):
        raise ConfigError("PLCFLOW_SMTP_PASSWORD is set with neither PLCFLOW_SMTP_STARTTLS nor PLCFLOW_SMTP_TLS: "
                          "a password must not travel in clear text.")
    d = Settings()
    return {"smtp_host": env.get("PLCFLOW_SMTP_HOST", "").strip() or d.smtp_host,
            "smtp_port": port or (465 if tls else 587 if starttls else d.smtp_port),
            "smtp_starttls": starttls, "smtp_tls": tls, "smtp_user": user, "smtp_password": password,
            "smtp_from": env.get("PLCFLOW_SMTP_FROM", "").strip() or d.smtp_from}


def _notices(env: dict[str, str]) -> dict:
    """PLCFLOW_NOTIFY_WINDOW_S and PLCFLOW_PUBLIC_URL: how the notifier batches and links (issue 10)."""
    window = env.get("PLCFLOW_NOTIFY_WINDOW_S", "").strip()
    try:
        window_s = float(window) if window else Settings.notify_window_s
    except ValueError:
        window_s = -1.0
    if not 0 <= window_s <= 3600:
        raise ConfigError(f"PLCFLOW_NOTIFY_WINDOW_S={window!r} is not a number of seconds from 0 to 3600.")
    public = env.get("PLCFLOW_PUBLIC_URL", "").strip().rstrip("/") or None
    if public is not None and urlsplit(public).scheme not in ("http", "https"):
        raise ConfigError(f"PLCFLOW_PUBLIC_URL={public!r} is not an http(s) URL (e.g. https://plc.example.org).")
    return {"notify_window_s": window_s, "public_url": public}


def _database_url(env: dict[str, str]) -> str | None:
    """DATABASE_URL, with PLCFLOW_DATABASE_PASSWORD put in URL-encoded (a password may hold @ : / # %).

    docker-compose.yml cannot encode a password it interpolates into a URL, so
    it passes the URL without one and the password on its own (issue 8).
    """
    url, password = env.get("DATABASE_URL") or None, env.get("PLCFLOW_DATABASE_PASSWORD") or None
    if url is None or password is None:
        if password is not None:
            raise ConfigError("PLCFLOW_DATABASE_PASSWORD is set but DATABASE_URL is not: set the URL without a password.")
        return url
    parts = urlsplit(url)
    if parts.password is not None:
        raise ConfigError("DATABASE_URL already holds a password and PLCFLOW_DATABASE_PASSWORD is set: keep one.")
    user, _, host = parts.netloc.rpartition("@")
    if not user:
        raise ConfigError("DATABASE_URL names no user to go with PLCFLOW_DATABASE_PASSWORD (postgresql://USER@HOST/DB).")
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class WebSettings:
    """Sign-in to the web app with the district's identity provider (issue 11).

    One identity provider per deployment: a district that runs its own
    plcflow configures its own. Its ``email`` claim names a person of one of
    ``districts`` (all of this deployment's districts when empty): a provider
    vouches only for the districts it is listed for.
    """

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # a secret: never in a log line
    session_secret: str = field(repr=False)
    public_url: str  # where browsers reach plcflow; the provider redirects back to it
    districts: tuple[str, ...] = ()
    session_hours: int = 8

    @property
    def secure_cookies(self) -> bool:
        """Session cookies travel only over HTTPS, except to this very machine (a laptop, the tests)."""
        return urlsplit(self.public_url).hostname not in LOCAL_HOSTS


def web_settings(env: dict[str, str]) -> WebSettings | None:
    """PLCFLOW_OIDC_* and PLCFLOW_SESSION_SECRET, PLCFLOW_WEB_URL: all of them, or none (no web app)."""
    names = ("PLCFLOW_OIDC_ISSUER", "PLCFLOW_OIDC_CLIENT_ID", "PLCFLOW_OIDC_CLIENT_SECRET", "PLCFLOW_SESSION_SECRET",
             "PLCFLOW_WEB_URL")
    values = {n: env.get(n, "").strip() for n in names}
    if not any(values.values()):
        return None
    if missing := [n for n, v in values.items() if not v]:
        raise ConfigError(f"the web app needs {', '.join(missing)} as well (sign-in is configured by all five or none).")
    if len(values["PLCFLOW_SESSION_SECRET"]) < 32:
        raise ConfigError("PLCFLOW_SESSION_SECRET is shorter than 32 characters: it signs every session cookie "
                          "(python -c 'import secrets; print(secrets.token_urlsafe(32))').")
    for n in ("PLCFLOW_OIDC_ISSUER", "PLCFLOW_WEB_URL"):
        parts = urlsplit(values[n])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{n}={values[n]!r} is not an http(s) address.")
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            raise ConfigError(f"{n}={values[n]!r} uses http: outside this machine sign-in needs https.")
    hours = env.get("PLCFLOW_SESSION_HOURS", "").strip()
    if hours and not (hours.isdigit() and 0 < int(hours) <= 24 * 14):
        raise ConfigError(f"PLCFLOW_SESSION_HOURS={hours!r} is not a number of hours from 1 to 336.")
    return WebSettings(
        issuer=values["PLCFLOW_OIDC_ISSUER"].rstrip("/"), client_id=values["PLCFLOW_OIDC_CLIENT_ID"],
        client_secret=values["PLCFLOW_OIDC_CLIENT_SECRET"], session_secret=values["PLCFLOW_SESSION_SECRET"],
        public_url=values["PLCFLOW_WEB_URL"].rstrip("/"),
        districts=tuple(d.strip() for d in env.get("PLCFLOW_OIDC_DISTRICTS", "").split(",") if d.strip()),
        session_hours=int(hours) if hours else 8,
    )
