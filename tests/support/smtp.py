"""A real SMTP server for the notifier's tests (issue 10): aiosmtpd on 127.0.0.1 keeping what it accepts,
and the notifier started as a process against it."""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

from activities.notifier import SmtpConfig

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; ``refuse`` answers a RCPT for good, ``later`` once."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.later: set[str] = set()
        self.kill_after_accepting: int | None = None  # a notifier's pid: SIGKILLed once the server holds a message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        if address in self.later:
            self.later.discard(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        if self.kill_after_accepting:
            os.kill(self.kill_after_accepting, signal.SIGKILL)
            self.kill_after_accepting = None
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    @property
    def notices(self) -> list:
        """The outbox's messages, without the digests a notifier also sends when one is due (issue 10)."""
        return [m for m in self.messages if m["X-Plcflow-Outbox"]]

    @property
    def digests(self) -> list:
        return [m for m in self.messages if m["X-Plcflow-Digest"]]


@contextmanager
def smtp_inbox():
    """An ``Inbox`` served on a free port of 127.0.0.1; ``.smtp`` is how a notifier reaches it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    handler.smtp = SmtpConfig(host="127.0.0.1", port=port, sender="plcflow@sv.example.org")
    try:
        yield handler
    finally:
        server.stop()


ROOT = Path(__file__).resolve().parents[2]


def notifier_process(db_url: str, inbox: Inbox, **extra_env: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "PLCFLOW_LOG_FORMAT": "json",
           "PLCFLOW_NOTIFY_WINDOW_S": "0.5",  # the send window, short: these tests wait on the process
           "PLCFLOW_SMTP_HOST": "127.0.0.1", "PLCFLOW_SMTP_PORT": str(inbox.smtp.port), **extra_env}
    return subprocess.Popen([sys.executable, "notifier.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


async def until_all_sent(store, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while await store.pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
