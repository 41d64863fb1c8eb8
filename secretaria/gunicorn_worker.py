"""gunicorn's threaded worker, with every request read in full before a thread is given to it.

Stock gthread hands a connection to a thread as soon as it is readable, and the thread then blocks
on the socket until the whole body has arrived: a client that sends the headers and half a body
holds a thread for as long as it likes, and a few dozen of them (2 workers x 4 threads) stalled
every request, /healthz included, for tens of seconds (issue 16, finding 5). Here the worker's
main thread, which already polls every connection, reads the request head and its body
(Content-Length, or a chunked body up to its last chunk) without blocking, as nginx's
`proxy_request_buffering` does, and queues the connection for a thread only once it is complete.
A request not complete within `request_read_timeout` seconds of its first wait gets a 408 and is
closed; a slow client costs a socket and at most `max_buffered` bytes, never a thread.

Bodies larger than `max_buffered` are handed over after the head: Django refuses them from the
Content-Length alone (DATA_UPLOAD_MAX_MEMORY_SIZE), without reading them. TLS and HTTP/2
connections (which gunicorn does not serve here: a proxy terminates TLS) keep gthread's path.
"""

from __future__ import annotations

import os
import re
import selectors
import time
from dataclasses import dataclass, field

from gunicorn.workers.gthread import ThreadWorker

REQUEST_READ_TIMEOUT = float(os.environ.get("GUNICORN_REQUEST_READ_TIMEOUT", "15"))
MAX_BUFFERED = int(os.environ.get("GUNICORN_MAX_BUFFERED_BODY", str(1024 * 1024)))
MAX_HEAD = 64 * 1024  # larger heads go on as they are: gunicorn answers them 400 (limit_request_*)
RECV_CHUNK = 64 * 1024
HEAD_END = b"\r\n\r\n"
TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,18})[ \t]*\r?$", re.I | re.M)
CHUNKED = re.compile(rb"^transfer-encoding:[^\r\n]*chunked", re.I | re.M)
# We read the body before the application asks for it: the client's wait for "100 Continue" is
# answered here, and the header dropped so that gunicorn does not send a second one.
EXPECT_CONTINUE = re.compile(rb"\r\nexpect:[ \t]*100-continue[ \t]*(?=\r\n)", re.I)
CONTINUE_RESPONSE = b"HTTP/1.1 100 Continue\r\n\r\n"


@dataclass
class _Pending:
    conn: object
    deadline: float
    data: bytearray = field(default_factory=bytearray)


def request_complete(data: bytes) -> bool:
    """Whether `data` starts with a whole HTTP/1.x request (head and body), or one we will not wait for."""
    head_end = data.find(HEAD_END)
    if head_end < 0:
        return len(data) > MAX_HEAD
    head, body = data[:head_end + 2], data[head_end + len(HEAD_END):]
    if CHUNKED.search(head):
        return len(body) > MAX_BUFFERED or body.startswith(b"0\r\n\r\n") or b"\r\n0\r\n\r\n" in body
    length = CONTENT_LENGTH.search(head)
    wanted = int(length.group(1)) if length else 0
    return wanted > MAX_BUFFERED or len(body) >= wanted


class BufferingThreadWorker(ThreadWorker):
    """gthread with request buffering in the main thread (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.buffering: dict[int, _Pending] = {}  # by socket file number

    def _buffers(self) -> bool:
        return not self.cfg.is_ssl and getattr(self.cfg, "http2_cleartext", "off") in ("off", None, "")

    def enqueue_req(self, conn):
        """Every path that would give a connection to a thread (accept, keep-alive, pipelining) comes here."""
        if not self._buffers():
            return super().enqueue_req(conn)
        # Bytes of a pipelined request already read behind the previous one start its buffer.
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        pending = _Pending(conn=conn, deadline=time.monotonic() + REQUEST_READ_TIMEOUT, data=bytearray(ahead))
        if request_complete(pending.data):
            return self._dispatch(pending)
        self.buffering[conn.sock.fileno()] = pending
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ, self._on_readable)

    def _on_readable(self, sock):
        pending = self.buffering.get(sock.fileno())
        if pending is None:
            return
        if not self._read_available(pending):
            return self._drop(pending)
        if request_complete(pending.data):
            self.poller.unregister(sock)
            del self.buffering[sock.fileno()]
            self._dispatch(pending)
        else:
            self._continue_if_expected(pending)

    def _read_available(self, pending: _Pending) -> bool:
        """Reads what the socket holds now; False when the client went away."""
        limit = MAX_HEAD + MAX_BUFFERED
        while len(pending.data) <= limit:
            try:
                chunk = pending.conn.sock.recv(RECV_CHUNK)
            except (BlockingIOError, InterruptedError):
                return True
            except OSError:
                return False
            if not chunk:
                return False
            pending.data += chunk
        return True

    def _continue_if_expected(self, pending: _Pending) -> None:
        head_end = pending.data.find(HEAD_END)
        if head_end < 0:
            return
        head = bytes(pending.data[:head_end + 2])  # with the last header line's CRLF
        stripped = EXPECT_CONTINUE.sub(b"", head)
        if stripped != head:
            pending.data[:head_end + 2] = stripped
            try:
                pending.conn.sock.send(CONTINUE_RESPONSE)
            except OSError:
                pass  # the next read finds the connection gone

    def _dispatch(self, pending: _Pending) -> None:
        conn = pending.conn
        if conn.parser is None:
            conn.init()  # plain HTTP/1.x: only builds the parser (the TLS and h2c paths never get here)
        conn.sock.setblocking(True)
        conn.parser.unreader.unread(bytes(pending.data))
        conn.data_ready = True
        super().enqueue_req(conn)

    def _drop(self, pending: _Pending, response: bytes = b"") -> None:
        sock = pending.conn.sock
        self.buffering.pop(sock.fileno(), None)
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass
        if response:
            try:
                sock.send(response)
            except OSError:
                pass
        self.nr_conns -= 1
        pending.conn.close()

    def murder_pending(self):
        """Called by the main loop about once a second: requests not complete in time get a 408."""
        super().murder_pending()
        now = time.monotonic()
        for pending in [p for p in self.buffering.values() if p.deadline <= now]:
            self._drop(pending, TIMEOUT_RESPONSE)

    def murder_keepalived(self, force=False):
        super().murder_keepalived(force=force)
        if force:
            for pending in list(self.buffering.values()):
                self._drop(pending)
