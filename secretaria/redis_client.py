"""One Redis connection pool per process for our direct uses (heartbeats, limits, context).

Keys written directly (not through Django's cache) are named with `tenant_key()`
when they hold a company's data, so no two companies ever share one.

Every key of a company expires: a fleet of thousands of companies, most of them idle at any moment,
must not keep Redis growing (docs/fleet-state.md lists each key, its TTL and why that TTL is safe).
A key that must not expire goes in KEYS_WITHOUT_TTL with the reason, and must stay small;
tests/test_redis_ttls.py fails on any other key left without a TTL after a company's day.
"""

from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection

# Pattern after `secretaria:<schema>:` (fnmatch) -> why it must never expire. None today: each key is a
# copy of PostgreSQL rows (rebuilt when missing), a lock, a window or a token that is safe to lose.
KEYS_WITHOUT_TTL: dict[str, str] = {}


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    return redis_client_for(settings.REDIS_URL)


def redis_client_for(url: str, *, timeout: float = 2.0) -> redis.Redis:
    """A client that never sends a command twice on its own: keep it so.

    A command whose reply timed out may well have run (the reply was late, not lost: a loaded box, a
    thread starved of the GIL), and ours are not all idempotent: counters, the dispatcher's take, the
    breaker's scripts. Re-sent blindly they would run twice. A client built from a URL retries nothing
    unless told to (`retry`, `retry_on_timeout`, `retry_on_error`); tests/test_redis_client.py holds
    it to that. A caller that knows its command is safe to repeat retries it itself (tenants/dispatch.py).
    """
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                health_check_interval=30)


def tenant_key(*parts: str) -> str:
    """A Redis key scoped to the current schema: `secretaria:<schema>:<parts...>`."""
    return ":".join(["secretaria", connection.schema_name, *parts])


def company_keys_forget(schema: str) -> int:
    """Delete every `secretaria:<schema>:*` key (a restore replaced the rows they copy): how many.

    Each is a copy of the company's rows rebuilt when missing (usage counters, conversation context),
    a lock, a window or a token that is safe to lose (the list above says so of every key).
    """
    client = get_redis()
    keys = list(client.scan_iter(match=f"secretaria:{schema}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
    return len(keys)
