"""One Redis connection pool per process for our direct uses (heartbeats, limits, context).

Keys written directly (not through Django's cache) are named with `tenant_key()`
when they hold a company's data, so no two companies ever share one.
"""

from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
    )


def tenant_key(*parts: str) -> str:
    """A Redis key scoped to the current schema: `secretaria:<schema>:<parts...>`."""
    return ":".join(["secretaria", connection.schema_name, *parts])
