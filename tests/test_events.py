"""The domain event bus: delivered once the publisher's transaction commits, to each subscriber in
the publishing company's schema and its own transaction; a failing subscriber is logged and
counted and breaks nothing."""

from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from compliance.models import AuditEvent
from secretaria.events import DomainEvent, publish, subscribe, subscribers_of
from secretaria.events.bus import unsubscribe


@dataclass(frozen=True, kw_only=True)
class Thing(DomainEvent):
    n: int


@dataclass(frozen=True, kw_only=True)
class SpecialThing(Thing):
    pass


@pytest.fixture
def heard():
    got: list = []

    def hear(event):
        got.append((type(event).__name__, event.n, connection.schema_name))

    subscribe(Thing, hear)
    yield got
    unsubscribe(Thing, hear)


def failures(event: str) -> float:
    return REGISTRY.get_sample_value("secretaria_events_delivered_total",
                                     {"event": event, "outcome": "failed"}) or 0.0


def test_an_event_is_delivered_after_the_commit_and_never_after_a_rollback(acme, heard,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, schema_context("acme"):
        with transaction.atomic():
            publish(Thing(n=1))
            assert heard == []  # not before the commit
        try:
            with transaction.atomic():
                publish(Thing(n=2))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert heard == [("Thing", 1, "acme")] and len(callbacks) == 1


def test_subscribers_of_a_base_class_hear_its_subclasses(acme, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), schema_context("acme"):
        publish(SpecialThing(n=3))

    assert heard == [("SpecialThing", 3, "acme")]


def test_a_failing_subscriber_is_counted_and_the_others_still_hear(acme, heard, django_capture_on_commit_callbacks):
    def broken(event):
        AuditEvent.objects.create(action="half-done", hash="x" * 64)  # rolled back with its transaction
        raise ValueError("boom")

    subscribe(Thing, broken)
    before = failures("Thing")
    try:
        with django_capture_on_commit_callbacks(execute=True), schema_context("acme"):
            publish(Thing(n=4))
    finally:
        unsubscribe(Thing, broken)

    assert heard == [("Thing", 4, "acme")]
    assert failures("Thing") == before + 1
    with schema_context("acme"):
        assert not AuditEvent.objects.filter(action="half-done").exists()


def test_an_event_nobody_hears_registers_nothing(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, schema_context("acme"):
        publish(Thing(n=5))

    assert callbacks == []


def test_a_subscriber_registers_once(heard):
    [handler] = subscribers_of(Thing)

    subscribe(Thing, handler)

    assert subscribers_of(Thing) == [handler]
