"""Outgoing webhook fixtures: a local receiver that verifies signatures, Celery running tasks in-process,
and private addresses allowed for it (production keeps WEBHOOKS_ALLOW_PRIVATE_URLS off).

    def test_x(acme, hooks, receiver):
        with schema_context("acme"):
            endpoint = endpoint_to(receiver, "/ok", ["booking.created"])   # helpers.py
            with captured():         # commits' callbacks run: the subscriber, then the delivery task
                ...book...
        receiver.received("/ok")[0].payload["type"] == "booking.created"
"""

import pytest

from tests.analytics.webhooks.receiver import Receiver


@pytest.fixture(scope="session")
def _receiver_session():
    receiver = Receiver(slow_seconds=1.0)
    yield receiver
    receiver.close()


@pytest.fixture
def receiver(_receiver_session) -> Receiver:
    _receiver_session.clear()
    yield _receiver_session
    _receiver_session.clear()


@pytest.fixture
def hooks(settings, eager):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2.0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def captured(django_capture_on_commit_callbacks):
    """`with captured():` runs what commits would (the event bus, the queued tasks) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
