"""Fixtures for the operations tests: a dead Redis, the beat heartbeat, captured JSON logs."""

import io
import json
import logging

import pytest
import structlog

from secretaria.beat import HEARTBEAT_KEY
from secretaria.redis_client import get_redis

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    """Point our Redis client at a closed port; the cached client is dropped before and after."""
    get_redis.cache_clear()
    settings.REDIS_URL = CLOSED_PORT_REDIS
    yield
    get_redis.cache_clear()


@pytest.fixture
def heartbeat():
    """heartbeat(timestamp) writes beat's key in the real Redis; the old value comes back after."""
    redis = get_redis()
    saved, ttl_ms = redis.get(HEARTBEAT_KEY), redis.pttl(HEARTBEAT_KEY)

    def write(timestamp: float) -> None:
        redis.set(HEARTBEAT_KEY, str(timestamp), ex=3600)

    yield write
    if saved is None:
        redis.delete(HEARTBEAT_KEY)
    else:
        redis.set(HEARTBEAT_KEY, saved, px=ttl_ms if ttl_ms > 0 else None)


@pytest.fixture
def json_logs():
    """Log lines rendered by the root handler's own structlog formatter, parsed as JSON."""
    root = logging.getLogger()
    formatter = next(h.formatter for h in root.handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
