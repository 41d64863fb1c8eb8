"""The in-process event bus: publish on commit, deliver to subscribers, never break the publisher.

- `publish(event)` inside a transaction delivers once it commits (and never if it rolls back);
  outside one, at once. An event nobody subscribed to costs nothing.
- Each subscriber runs in the company schema the event was published in, in its own
  transaction: one subscriber's failure rolls back its own writes only, is logged and
  counted (`secretaria_events_delivered_total{outcome="failed"}`), and neither the
  publisher nor the other subscribers notice.
- Delivery is in-process and at most once: a process killed between the commit and the
  delivery loses it. Subscribers whose record must survive that (usage metering) rebuild
  from the rows the publisher committed, which are the source of truth.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime

import structlog
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from secretaria.observability.metrics import EVENTS_DELIVERED

log = structlog.get_logger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event: a frozen dataclass of ids and plain values (never model instances)."""

    occurred_at: datetime = dataclasses.field(default_factory=timezone.now)

    @classmethod
    def name(cls) -> str:
        return cls.__name__


Handler = Callable[[DomainEvent], None]
_subscribers: dict[type[DomainEvent], list[Handler]] = {}
_lock = threading.Lock()


def subscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    """Call `handler(event)` for every `event_type` published (subclasses included). Idempotent."""
    with _lock:
        handlers = _subscribers.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)


def unsubscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    with _lock:
        if handler in _subscribers.get(event_type, []):
            _subscribers[event_type].remove(handler)


def subscribers_of(event_type: type[DomainEvent]) -> list[Handler]:
    """Handlers of this type and of its base classes (a subscriber of DomainEvent hears them all)."""
    with _lock:
        return [handler for klass in event_type.__mro__ for handler in _subscribers.get(klass, ())]


def publish(event: DomainEvent) -> None:
    """Deliver `event` to its subscribers once the current transaction commits."""
    handlers = subscribers_of(type(event))
    if not handlers:
        return
    schema = connection.schema_name
    transaction.on_commit(lambda: _deliver(event, handlers, schema))


def _deliver(event: DomainEvent, handlers: list[Handler], schema: str) -> None:
    with schema_context(schema):
        for handler in handlers:
            _deliver_one(event, handler, schema)


def _deliver_one(event: DomainEvent, handler: Handler, schema: str) -> None:
    try:
        with transaction.atomic():
            handler(event)
    except Exception:  # noqa: BLE001 - a subscriber must never break the publisher or its peers
        log.exception("event_subscriber_failed", event_type=event.name(), subscriber=_name(handler))
        EVENTS_DELIVERED.labels(event=event.name(), outcome="failed").inc()
        return
    EVENTS_DELIVERED.labels(event=event.name(), outcome="ok").inc()


def _name(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"
