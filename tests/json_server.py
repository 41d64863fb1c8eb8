"""A local HTTP server for JSON APIs, the base of the tests' fake providers (Cal.com, Meta's Graph API):
it records each request and asks the fake what to answer.

A fake subclasses FakeServer and defines `reset()` (its state, under `self.lock`) and
`handle(recorded) -> (status, payload)` or `(status, payload, headers)`; a payload of None is an empty body.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lowercase names
    body: dict | None


class FakeServer(ABC):
    """Serves on a free port of 127.0.0.1 (`self.url`) from a daemon thread until `shutdown()`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @abstractmethod
    def reset(self) -> None:
        """The fake's state back to empty (called first by __init__)."""

    @abstractmethod
    def handle(self, recorded: Recorded) -> tuple:
        """(status, payload) or (status, payload, headers) for one request."""

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def handler_for(server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            answer = server.handle(self._recorded())
            status, payload, headers = answer if len(answer) == 3 else (*answer, {})
            data = json.dumps(payload).encode() if payload is not None else b""
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def _recorded(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            split = urlsplit(self.path)
            return Recorded(self.command, split.path, {k: v[-1] for k, v in parse_qs(split.query).items()},
                            {k.lower(): v for k, v in self.headers.items()}, body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's naming

        def log_message(self, *args):
            pass

    return Handler
