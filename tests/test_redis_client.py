"""Our Redis client never runs a command twice on its own (secretaria/redis_client.py)."""

import uuid

import pytest
import redis

from secretaria.redis_client import get_redis, redis_client_for


def test_a_command_whose_reply_comes_late_is_not_sent_again(slow_redis):
    key = f"test:redis-client:{uuid.uuid4().hex}"
    client = redis_client_for(slow_redis.url, timeout=0.3)
    client.ping()  # the connection's own handshake goes through unheld
    slow_redis.hold_next_replies(0.8)

    with pytest.raises(redis.TimeoutError):
        client.incr(key)

    # A client told to retry timeouts would have sent INCR again: the counter says how often it ran.
    assert int(get_redis().get(key)) == 1
    get_redis().delete(key)

