"""Our Redis client never runs a command twice on its own (secretaria/redis_client.py)."""

import uuid

import pytest
import redis
from django.conf import settings

from secretaria.redis_client import get_redis, redis_client_for
from tests.redis_proxy import SlowReplies


@pytest.fixture
def slow():
    proxy = SlowReplies(settings.REDIS_URL)
    yield proxy
    proxy.close()


def test_a_command_whose_reply_comes_late_is_not_sent_again(slow):
    key = f"test:redis-client:{uuid.uuid4().hex}"
    client = redis_client_for(slow.url, timeout=0.3)
    client.ping()  # the connection's own handshake goes through unheld
    slow.hold_next_replies(0.8)

    with pytest.raises(redis.TimeoutError):
        client.incr(key)

    # redis-py's default would have sent INCR up to 3 more times: the counter says how often it ran.
    assert int(get_redis().get(key)) == 1
    get_redis().delete(key)

