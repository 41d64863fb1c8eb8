"""Periodic samplers for metrics that nothing increments: they must be measured.

`secretaria.queue_size_sample` (secretaria/tasks.py) reads how many tasks wait in each Celery queue on
the Redis broker and sets `secretaria_queue_size`, and how long the next task of each queue has been
waiting, `secretaria_queue_age_seconds`. Queues are global (not per company), so beat runs it
directly, not through the per-company dispatcher.

Celery's messages carry no time they were sent, so the age is observed: the sampler remembers (in the
broker, so every sampler agrees) a digest of the message at the head of each list and when it first
saw it there. A head that has not moved for two samples is a queue not being consumed; the age is
short by at most one sampling interval (15 s in beat's schedule).
"""

import hashlib
import time

import redis
import structlog
from django.conf import settings
from kombu.transport.redis import PRIORITY_STEPS, Channel

from secretaria.observability.metrics import QUEUE_AGE, QUEUE_SIZE
from secretaria.redis_client import get_redis

log = structlog.get_logger(__name__)
# Hash: priority list -> "<digest of its head message> <when first seen at the head>".
HEADS_KEY = "secretaria:queue_heads"


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


def queue_ages(*, now: float | None = None) -> dict[str, float]:
    """Seconds the oldest head of each sampled queue's priority lists has been waiting (0: empty)."""
    now = time.time() if now is None else now
    broker = _broker()
    lists = {queue: _priority_lists(queue) for queue in sampled_queues()}
    names = [name for names in lists.values() for name in names]
    pipe = broker.pipeline(transaction=False)
    for name in names:
        pipe.lindex(name, -1)  # kombu pushes on the left and pops on the right: -1 is next out
    pipe.hgetall(HEADS_KEY)
    *heads, seen = pipe.execute()
    seen = {key.decode(): value.decode() for key, value in seen.items()}
    since, state = {}, {}
    for name, head in zip(names, heads, strict=True):
        if head is None:
            continue
        digest = hashlib.blake2b(head, digest_size=8).hexdigest()
        known_digest, _, first = seen.get(name, "").partition(" ")
        since[name] = float(first) if known_digest == digest else now
        state[name] = f"{digest} {since[name]!r}"
    pipe = broker.pipeline(transaction=True)
    pipe.hdel(HEADS_KEY, *names)  # only this deployment's lists: another may share the broker
    if state:
        pipe.hset(HEADS_KEY, mapping=state)
    pipe.execute()
    return {queue: max((now - since[name] for name in names if name in since), default=0.0)
            for queue, names in lists.items()}


def queue_size_sample() -> dict[str, int]:
    """Set secretaria_queue_size and secretaria_queue_age_seconds for each sampled queue; a broker
    hiccup skips one sample."""
    try:
        sizes, ages = queue_sizes(), queue_ages()
    except redis.RedisError as exc:
        log.warning("queue_size_sample_failed", error=str(exc))
        return {}
    for queue, size in sizes.items():
        QUEUE_SIZE.labels(queue=queue).set(size)
        QUEUE_AGE.labels(queue=queue).set(ages[queue])
    return sizes
