"""What the A/B tests hook up when the app is ready: the renderer's chooser, the outcome subscribers, the
auto-stop task and the admin pages."""

from secretaria import events
from templates.experiments import admin, tasks  # noqa: F401 - register the admin pages and the Celery task
from templates.experiments.chooser import abtest_choose
from templates.experiments.subscribers import HEARD, outcome_heard
from templates.replies.render import chooser_add


def setup() -> None:
    """Called once from TemplatesConfig.ready(); idempotent (chooser_add and subscribe skip a repeat)."""
    chooser_add(abtest_choose)
    for event_type in HEARD:
        events.subscribe(event_type, outcome_heard)
