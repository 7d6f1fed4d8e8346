"""A local SMTP server for ``make run`` that delivers nowhere (issue 10, "On one laptop").

``make run``'s notifier hands its email here instead of to a real server, and
every message accepted becomes one ``.eml`` file under ``data/mail/``, the way a
recipient's mail client would store it; ``plcflow mail list/show`` read them
(cli/mail.py). A file's name is its id: the UTC time of acceptance to the
microsecond, so names sort by arrival, and a suffix in the rare case two
messages arrive in the same microsecond. A file appears whole or not at all
(written aside, then linked in place), so a reader never sees half a message.

Each file starts with two headers the sink adds, as a mail server adds
``Received:``: ``X-Plcflow-Sink-Received`` (when it was accepted, which
``make bench-notify`` measures against) and ``X-Plcflow-Sink-To`` (the SMTP
envelope's recipients: who it was really delivered to).
"""

import email
import email.parser
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

RECEIVED = "X-Plcflow-Sink-Received"
ENVELOPE_TO = "X-Plcflow-Sink-To"


def mail_folder(data_dir: Path) -> Path:
    return data_dir / "mail"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class MailSink:
    """An aiosmtpd handler writing each accepted message to ``folder``; ``on_accept(path, received)`` is told of each."""

    def __init__(self, folder: Path, on_accept: Callable[[Path, datetime], None] | None = None):
        self.folder = folder
        self.on_accept = on_accept
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        received = datetime.now(UTC)
        path = self.store(envelope.original_content or envelope.content, envelope.rcpt_tos, received)
        if self.on_accept:
            self.on_accept(path, received)
        return "250 Message accepted for delivery"

    def store(self, content: bytes, recipients: list[str], received: datetime) -> Path:
        added = f"{RECEIVED}: {received.isoformat()}\r\n{ENVELOPE_TO}: {', '.join(recipients)}\r\n".encode()
        stem = received.strftime("%Y%m%d-%H%M%S-%f")
        aside = self.folder / f".{stem}.{os.getpid()}.tmp"
        aside.write_bytes(added + content)
        try:
            for n in range(1000):
                path = self.folder / (f"{stem}.eml" if n == 0 else f"{stem}-{n}.eml")
                try:
                    os.link(aside, path)  # fails if the name is taken: never overwrite a message
                    return path
                except FileExistsError:
                    continue
            raise FileExistsError(f"no free name for a message received at {stem}")
        finally:
            aside.unlink(missing_ok=True)


def start_sink(folder: Path, host: str = "127.0.0.1", port: int | None = None,
               on_accept: Callable[[Path, datetime], None] | None = None) -> Controller:
    """Serve a ``MailSink`` on ``host:port`` (a free port when None) in its own thread; ``.port`` says where."""
    controller = Controller(MailSink(folder, on_accept), hostname=host, port=port or free_port(host))
    controller.start()
    return controller


# --- reading what the sink stored: ``plcflow mail list/show`` (cli/mail.py) ---

_ID = re.compile(r"^\d{8}-\d{6}-\d{6}(-\d+)?$")


@dataclass(frozen=True)
class Stored:
    """One message the sink accepted: its id (the file name), when, to whom, about what."""

    id: str
    received: datetime
    to: tuple[str, ...]
    subject: str
    path: Path

    def read(self) -> EmailMessage:
        return email.message_from_bytes(self.path.read_bytes(), policy=policy.default)


def stored(folder: Path, to: str | None = None) -> list[Stored]:
    """Every message in ``folder`` by arrival; with ``to``, only those delivered to that address (any case)."""
    out = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stem) if folder.is_dir() else ():
        if not _ID.match(path.stem):
            continue
        headers = email.parser.BytesHeaderParser(policy=policy.default).parsebytes(path.read_bytes())
        recipients = tuple(a.strip() for a in str(headers.get(ENVELOPE_TO, headers.get("To", ""))).split(",") if a.strip())
        if to is None or to.lower() in (r.lower() for r in recipients):
            out.append(Stored(path.stem, datetime.fromisoformat(str(headers[RECEIVED])), recipients,
                              str(headers.get("Subject", "")), path))
    return out


class UnknownMessage(LookupError):
    """An id ``plcflow mail show`` cannot find: the sentence says what an id looks like and where to find one."""


def find(folder: Path, message_id: str) -> Stored:
    if not _ID.match(message_id):
        raise UnknownMessage(f"{message_id!r} is not a message id; ids look like 20261201-051554-890768 "
                             "(plcflow mail list shows them).")
    found = [m for m in stored(folder) if m.id == message_id]
    if not found:
        raise UnknownMessage(f"There is no message {message_id} in {folder} (plcflow mail list shows the ids).")
    return found[0]


def plain_text(message: EmailMessage) -> str:
    """The plain-text part, as a mail client shows it (quoted-printable decoded)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
