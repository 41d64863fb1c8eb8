"""A TCP proxy in front of the test Redis that can hold the server's replies back.

A reply that comes late — the command ran, the client gave up waiting — is what a loaded box does
to a worker thread; this makes it happen on demand against the real server.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class SlowReplies:
    def __init__(self, redis_url: str) -> None:
        parts = urlsplit(redis_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{self._listener.getsockname()[1]}"))
        self._lock = threading.Lock()
        self._held: list[float] = []  # delays for the next replies, one each
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def hold_next_replies(self, *delays: float) -> None:
        """The next len(delays) replies (chunks from the server, any connection) each wait that long."""
        with self._lock:
            self._held.extend(delays)

    def close(self) -> None:
        self._listener.close()
        for sock in self._open:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._target)
            self._open += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, replies: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if replies:
                    time.sleep(self._next_delay())
                sink.sendall(chunk)
        except OSError:
            pass  # either side closed: the other one follows
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

    def _next_delay(self) -> float:
        with self._lock:
            return self._held.pop(0) if self._held else 0.0
