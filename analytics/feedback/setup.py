"""What this part hooks up when the app is ready: the admin pages, the gauges' task, the outgoing webhook
of ingested feedback, and the LGPD erasure of the customers' comments."""

from analytics.feedback import admin, tasks  # noqa: F401 - register the admin pages and the Celery task
from analytics.feedback.services import feedback_comments_erase
from analytics.feedback.subscribers import feedback_received
from secretaria import events
from secretaria.personal_data import Eraser, register_eraser


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); idempotent (subscribe and register ignore a repeat)."""
    events.subscribe(events.FeedbackReceived, feedback_received)
    register_eraser(Eraser(name="feedback_comments", erase=feedback_comments_erase))
