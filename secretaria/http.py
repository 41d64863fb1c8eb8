"""Pooled HTTP clients for every provider call: one per thread of each process.

Reusing connections saves a TCP (and TLS) handshake per send, and creating an
httpx.Client per call would leak its pool. A client is shared by every company,
so it keeps no cookies: a vendor's cookie must never travel with another company's
request. Credentials go per request, in headers.

Why one per thread and not one per process: httpcore's pool walks every connection
and every waiting request under one lock on each request and response, so with
dozens of reply threads sharing a pool of dozens of connections that bookkeeping
was a tenth of the worker's CPU. A thread's own client holds the one or two
keep-alive connections that thread uses. Keyed by pid too: a client must not cross
a fork (Celery's prefork pool).
"""

import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

_local = threading.local()


def shared_client() -> httpx.Client:
    pid = os.getpid()
    client = getattr(_local, "client", None)
    if client is None or _local.pid != pid:
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        client = httpx.Client(
            cookies=no_cookies, follow_redirects=False,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=4),
        )
        _local.client, _local.pid = client, pid
    return client
