"""The seeded operations metrics are on /metrics with their names, types and labels."""

import pytest
from django.test import Client

from secretaria.observability import metrics
from secretaria.observability.queues import _broker, _priority_lists
from secretaria.tasks import queue_size_sample_task
from tests.observability.helpers import families, samples

# Family name as the parser reports it (counters without `_total`), type, one sample's labels.
SEEDED = {
    "secretaria_task_latency_seconds": ("histogram", metrics.TASK_LATENCY, {"task": "t"}),
    "secretaria_queue_size": ("gauge", metrics.QUEUE_SIZE, {"queue": "seed-check"}),
    "secretaria_whaticket_send_success": ("counter", metrics.WHATICKET_SEND_SUCCESS, {}),
    "secretaria_whaticket_send_retry": ("counter", metrics.WHATICKET_SEND_RETRY, {}),
    "secretaria_whaticket_errors": ("counter", metrics.WHATICKET_ERRORS, {"company": "acme"}),
    "secretaria_messages_limited": ("counter", metrics.MESSAGES_LIMITED, {"scope": "sender"}),
    "secretaria_intention_distribution": ("counter", metrics.INTENTION_DISTRIBUTION, {"intent": "greeting"}),
    "secretaria_sentiment_average_gauge": ("gauge", metrics.SENTIMENT_AVERAGE, {}),
    "secretaria_healthcheck_failures": ("counter", metrics.HEALTHCHECK_FAILURES, {"component": "redis"}),
}


@pytest.fixture
def scraper(db):
    return Client(HTTP_HOST="localhost")


def _touch(metric, labels: dict) -> None:
    child = metric.labels(**labels) if labels else metric
    if hasattr(child, "observe"):
        child.observe(0.2)
    elif hasattr(child, "set"):
        child.set(0)
    else:
        child.inc(0)


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_seeded_metric_is_exported_with_its_type_and_labels(scraper, name):
    kind, metric, labels = SEEDED[name]
    _touch(metric, labels)
    family = families(scraper)[name]
    assert family.type == kind
    assert any(sample.labels.items() >= labels.items() and set(sample.labels) - {"le"} == set(labels)
               for sample in family.samples)


def test_the_queue_gauges_keep_each_processes_last_value_while_alive():
    assert metrics.QUEUE_SIZE._multiprocess_mode == "livemax"
    assert metrics.SENTIMENT_AVERAGE._multiprocess_mode == "livemostrecent"


@pytest.fixture
def queue(settings, unique):
    """A queue of this test's own on the broker, deleted afterwards."""
    name = f"test-sample-{unique}"
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    yield name
    _broker().delete(*_priority_lists(name))


def test_the_queue_size_task_sets_the_gauge_from_the_broker_lists(scraper, queue):
    broker = _broker()
    broker.lpush(queue, "a", "b", "c")
    broker.lpush(_priority_lists(queue)[-1], "urgent")  # kombu's list for priority 9
    assert queue_size_sample_task() == {queue: 4}
    assert samples(scraper)[("secretaria_queue_size", (("queue", queue),))] == 4
    broker.delete(queue)
    queue_size_sample_task()
    assert samples(scraper)[("secretaria_queue_size", (("queue", queue),))] == 1


def test_extra_queues_are_sampled_too(settings, queue):
    settings.METRICS_SAMPLED_QUEUES = ["test-sample-empty"]
    assert queue_size_sample_task() == {queue: 0, "test-sample-empty": 0}


def test_with_the_broker_down_a_sample_is_skipped(settings, unique):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"test-sample-{unique}"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert queue_size_sample_task() == {}


def test_the_task_is_registered_under_its_name():
    from celery_app import app

    assert app.tasks["secretaria.queue_size_sample"].name == "secretaria.queue_size_sample"
