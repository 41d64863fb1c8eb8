"""secretaria_queue_age_seconds: how long the next task of a queue has waited, observed by the sampler
(a digest of the head message and when it was first seen there, kept in the broker)."""

import pytest

from secretaria.observability.queues import HEADS_KEY, _broker, _priority_lists, queue_ages, queue_size_sample
from tests.observability.helpers import samples


@pytest.fixture
def queue(settings, unique):
    """A queue of this test's own on the broker, deleted afterwards with the sampler's memory of it."""
    name = f"test-age-{unique}"
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    settings.METRICS_SAMPLED_QUEUES = []
    yield name
    broker = _broker()
    broker.delete(*_priority_lists(name))
    broker.hdel(HEADS_KEY, *_priority_lists(name))


def test_an_empty_queue_has_age_0(queue):
    assert queue_ages(now=1000.0) == {queue: 0.0}


def test_a_head_that_does_not_move_ages_from_when_it_was_first_seen(queue):
    _broker().lpush(queue, "task-a")
    assert queue_ages(now=1000.0) == {queue: 0.0}
    _broker().lpush(queue, "task-b")  # arrivals behind it do not reset the age
    assert queue_ages(now=1045.0) == {queue: 45.0}
    assert queue_ages(now=1090.0) == {queue: 90.0}


def test_a_consumed_head_starts_the_next_one_at_0(queue):
    broker = _broker()
    broker.lpush(queue, "task-a", "task-b")
    queue_ages(now=1000.0)
    assert queue_ages(now=1030.0) == {queue: 30.0}
    broker.rpop(queue)  # a worker took task-a
    assert queue_ages(now=1060.0) == {queue: 0.0}
    assert queue_ages(now=1075.0) == {queue: 15.0}


def test_the_oldest_priority_list_gives_the_queue_its_age(queue):
    broker = _broker()
    broker.lpush(_priority_lists(queue)[-1], "low-priority")
    queue_ages(now=1000.0)
    broker.lpush(queue, "urgent")
    assert queue_ages(now=1100.0) == {queue: 100.0}


def test_the_sample_task_sets_the_age_gauge(queue, db):
    from django.test import Client

    _broker().lpush(queue, "task-a")
    queue_size_sample()
    assert samples(Client(HTTP_HOST="localhost"))[("secretaria_queue_age_seconds", (("queue", queue),))] >= 0


def test_another_deployments_memory_is_left_alone(queue):
    broker = _broker()
    broker.hset(HEADS_KEY, "someone-else", "abc 1.0")
    try:
        queue_ages(now=1000.0)
        assert broker.hget(HEADS_KEY, "someone-else") == b"abc 1.0"
    finally:
        broker.hdel(HEADS_KEY, "someone-else")
