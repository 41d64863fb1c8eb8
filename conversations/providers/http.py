"""One pooled HTTP client per process for every provider call.

Reusing connections saves a TCP (and TLS) handshake per send, and creating an
httpx.Client per call would leak its pool. The client is shared by every company,
so it keeps no cookies: a vendor's cookie must never travel with another company's
request. Credentials go per request, in headers. Keyed by pid: a client must not
cross a fork (Celery's prefork pool).
"""

import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

_clients: dict[int, httpx.Client] = {}
_lock = threading.Lock()


def shared_client() -> httpx.Client:
    pid = os.getpid()
    with _lock:
        if pid not in _clients:
            no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
            _clients[pid] = httpx.Client(
                cookies=no_cookies, follow_redirects=False,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
        return _clients[pid]
