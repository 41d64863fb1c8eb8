"""Queueing a Celery task by its registered name.

Services queue their app's tasks by name (`task_delay("conversations.outbox_send", outbox_id)`),
as a URL names a view: the tasks module imports the services, never the other way round,
so neither needs an import tucked inside a function. Eager mode (tests) is respected.
"""

from celery_app import app


def task_delay(name: str, *args, **kwargs):
    """`<task>.delay(*args, **kwargs)` for the task registered as `name`; raises what the broker raises."""
    if name not in app.tasks:
        # Outside a worker the apps' tasks modules load lazily: load them all once.
        app.autodiscover_tasks(force=True)
    return app.tasks[name].delay(*args, **kwargs)
