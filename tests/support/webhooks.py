"""A real webhook receiver for the notifier's tests (issue 10): an HTTP server on 127.0.0.1, in a thread,
keeping every JSON body it is posted and answering each path as scripted (200 by default)."""

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from activities.webhook_payloads import Hook


@dataclass(frozen=True)
class Received:
    path: str
    body: dict
    raw: str
    post_ids: tuple[int, ...]  # the X-Plcflow-Posts header: which webhook_posts rows this request carried


class Receiver:
    """What was posted, per path; ``answers[path]`` is a list of (status, headers) served first, in order."""

    def __init__(self, port: int):
        self.port = port
        self.received: list[Received] = []
        self.answers: dict[str, list[tuple[int, dict]]] = {}
        self.statuses: list[tuple[str, int]] = []  # every request, accepted or not
        self._lock = threading.Lock()

    def hook(self, name: str, kind: str) -> Hook:
        return Hook(name=name, kind=kind, url=f"http://127.0.0.1:{self.port}/{name}")

    def at(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == f"/{name}"]

    def _answer(self, path: str, raw: str, ids: str) -> tuple[int, dict]:
        with self._lock:
            queue = self.answers.get(path)
            status, headers = queue.pop(0) if queue else (200, {})
            self.statuses.append((path, status))
            if 200 <= status < 300:  # what the channel shows: only what it accepted
                self.received.append(Received(path, json.loads(raw), raw,
                                              tuple(int(i) for i in ids.split(",") if i)))
        return status, headers


@contextmanager
def webhook_receiver():
    """A ``Receiver`` served on a free port of 127.0.0.1 until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            status, headers = receiver._answer(self.path, raw, self.headers.get("X-Plcflow-Posts", ""))
            body = b"ok" if status < 300 else b"no_service"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
