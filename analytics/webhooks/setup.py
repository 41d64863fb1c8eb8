"""Outgoing webhooks hook up here: the subscriber of each mapped domain event, the Celery tasks, the admin."""

from analytics.webhooks import admin, tasks  # noqa: F401 - register the admin pages and the Celery tasks
from analytics.webhooks.events import EVENT_TYPES
from analytics.webhooks.services import deliveries_scrub, event_heard
from secretaria.events import subscribe
from secretaria.personal_data import Eraser, register_eraser


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); subscribing twice is a no-op (the bus dedupes)."""
    for event_type in EVENT_TYPES.values():
        subscribe(event_type.source, event_heard)
    register_eraser(Eraser(name="webhook_deliveries", erase=deliveries_scrub))  # LGPD erasure
