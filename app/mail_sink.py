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

import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
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
