"""Periodic samplers for metrics that nothing increments: they must be measured.

`secretaria.queue_size_sample` (secretaria/tasks.py) reads how many tasks wait in each Celery queue on
the Redis broker and sets `secretaria_queue_size`. Queues are global (not per
company), so beat runs it directly, not through the per-company dispatcher.
"""

import redis
import structlog
from django.conf import settings
from kombu.transport.redis import PRIORITY_STEPS, Channel

from secretaria.observability.metrics import QUEUE_SIZE
from secretaria.redis_client import get_redis

log = structlog.get_logger(__name__)


def sampled_queues() -> list[str]:
    """The default queue plus any listed in settings.METRICS_SAMPLED_QUEUES."""
    extra = settings.METRICS_SAMPLED_QUEUES
    return list(dict.fromkeys([settings.CELERY_TASK_DEFAULT_QUEUE, *extra]))


def _broker() -> redis.Redis:
    """The broker's Redis: our shared client when it is the same server, else a fresh one."""
    url = settings.CELERY_BROKER_URL
    if url == settings.REDIS_URL:
        return get_redis()
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _priority_lists(queue: str) -> list[str]:
    """Kombu keeps one Redis list per priority step: `queue`, then `queue<sep>3`, `<sep>6`, `<sep>9`."""
    return [queue if step == 0 else f"{queue}{Channel.sep}{step}" for step in PRIORITY_STEPS]


def queue_sizes() -> dict[str, int]:
    """Waiting tasks per sampled queue (all priority lists added up), in one round trip."""
    queues = sampled_queues()
    pipe = _broker().pipeline(transaction=False)
    for queue in queues:
        for name in _priority_lists(queue):
            pipe.llen(name)
    lengths = iter(pipe.execute())
    return {queue: sum(next(lengths) for _ in PRIORITY_STEPS) for queue in queues}


def queue_size_sample() -> dict[str, int]:
    """Set secretaria_queue_size for each sampled queue; a broker hiccup skips one sample."""
    try:
        sizes = queue_sizes()
    except redis.RedisError as exc:
        log.warning("queue_size_sample_failed", error=str(exc))
        return {}
    for queue, size in sizes.items():
        QUEUE_SIZE.labels(queue=queue).set(size)
    return sizes
