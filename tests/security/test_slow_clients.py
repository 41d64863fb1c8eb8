"""Slow request bodies do not stall the web server (issue 16, finding 5): the real gunicorn, with the
project's configuration, answers /healthz while 32 clients hold connections with the headers and half
a body sent; each of them gets a 408 once GUNICORN_REQUEST_READ_TIMEOUT has passed."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import _stop, _wait_until

# The server reads the committed cast; the mark makes pytest-django create the test database.
pytestmark = pytest.mark.django_db

SLOW_CLIENTS = 32
READ_TIMEOUT = 6  # seconds, for this server only (production default: 15)
HEAD = ("POST /webhook/sandbox/segredo-qualquer HTTP/1.1\r\nHost: acme.localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n")


@pytest.fixture(scope="module")
def web(django_db_setup) -> tuple[str, int]:
    """gunicorn as `make run` starts it (one worker, so its 4 threads are all there is)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_NAME": connection.settings_dict["NAME"],
           "GUNICORN_REQUEST_READ_TIMEOUT": str(READ_TIMEOUT), "SECRETARIA_WAKEUP_DISPATCHER": "0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "secretaria.wsgi:application", "--config",
         "python:secretaria.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR, env=env)
    _wait_until(lambda: _healthz(port, timeout=1) is not None, 60, "gunicorn start", proc)
    yield "127.0.0.1", port
    _stop(proc)


def _send(port: int, data: bytes, timeout: float = 20) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(data)
    return sock


def _response(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _healthz(port: int, timeout: float) -> float | None:
    """Seconds /healthz took to answer 200, or None."""
    started = time.monotonic()
    try:
        with _send(port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout) as sock:
            answered = _response(sock).startswith(b"HTTP/1.1 200")
    except OSError:
        return None
    return time.monotonic() - started if answered else None


def _half_body_clients(port: int, count: int) -> list[socket.socket]:
    return [_send(port, HEAD.format(length=1000, extra="").encode() + b'{"text": "' + b"a" * 490)
            for _ in range(count)]


def test_healthz_answers_while_32_clients_hold_half_sent_bodies(web):
    _host, port = web
    slow = _half_body_clients(port, SLOW_CLIENTS)
    try:
        time.sleep(0.5)  # let the server take them all in
        took = [_healthz(port, timeout=READ_TIMEOUT - 1) for _ in range(5)]
    finally:
        for sock in slow:
            sock.close()

    print(f"\n/healthz with {SLOW_CLIENTS} slow clients: {', '.join(f'{t:.3f}' if t else 'stalled' for t in took)} s")
    assert None not in took, took  # answered well before any slow client timed out


def test_a_slow_client_gets_a_408_and_the_connection_closed(web):
    _host, port = web
    [sock] = _half_body_clients(port, 1)
    started = time.monotonic()
    with sock:
        answer = _response(sock)

    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert READ_TIMEOUT - 1 <= time.monotonic() - started <= READ_TIMEOUT + 5


def test_a_body_sent_after_100_continue_is_answered(web):
    _host, port = web
    body = b'{"from": "5511912345678", "text": "oi", "id": "x"}'
    with _send(port, HEAD.format(length=len(body), extra="Expect: 100-continue\r\n").encode()) as sock:
        interim = sock.recv(65536)
        sock.sendall(body)
        final = _response(sock)

    assert interim.startswith(b"HTTP/1.1 100 Continue")
    assert final.startswith(b"HTTP/1.1 401")  # the whole request reached the app: a wrong secret


def test_requests_kept_alive_and_pipelined_are_answered(web):
    _host, port = web
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with _send(port, request + request) as sock:
        received = _responses(sock, 2)
        sock.sendall(request)
        received += _responses(sock, 1)

    assert received.count(b"HTTP/1.1 200") == 3


def _responses(sock: socket.socket, count: int) -> bytes:
    """What the server sends until `count` complete /healthz answers have arrived (or 10 s)."""
    received, deadline = b"", time.monotonic() + 10
    while received.count(b'{"status": "ok"}') < count and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received
