"""A webhook receiver on 127.0.0.1, as a CRM or n8n would run one: a threaded http.server that checks
each delivery's signature with the `standardwebhooks` package and answers by path.

    receiver = Receiver()
    receiver.expect("/ok", secret)       # deliveries to /ok are verified with this endpoint's secret
    ... receiver.received("/ok")         # what arrived there: headers, raw body, verified payload or error

Paths: /ok answers 200 (401 when the signature does not verify, as a receiver must), /fail 500,
/redirect 302 to /ok (we must never follow it), /slow waits `slow_seconds` before answering 200.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    payload: dict | None  # the verified JSON, None if it did not verify
    error: str = ""


class Receiver:
    def __init__(self, *, slow_seconds: float = 1.0):
        self.slow_seconds = slow_seconds
        self.secrets: dict[str, str] = {}
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def expect(self, path: str, secret: str) -> None:
        self.secrets[path] = secret

    def received(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
        self.secrets.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> Received:
        payload, error = None, ""
        secret = self.secrets.get(path)
        if secret:
            try:
                payload = Webhook(secret).verify(body, headers)
            except WebhookVerificationError as exc:
                error = str(exc)
        received = Received(path, headers, body, payload, error)
        with self.lock:
            self.requests.append(received)
        return received

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                received = receiver._record(self.path, headers, body)
                if self.path == "/fail":
                    self._answer(500)
                elif self.path == "/redirect":
                    self._answer(302, location=f"{receiver.url}/ok")
                elif self.path == "/slow":
                    time.sleep(receiver.slow_seconds)
                    self._answer(200)
                else:
                    self._answer(200 if received.payload is not None else 401)

            def _answer(self, code: int, location: str = "") -> None:
                try:
                    self.send_response(code)
                    if location:
                        self.send_header("Location", location)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        return Handler
