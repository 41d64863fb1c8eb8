"""The Celery application, tenant-aware through tenant-schemas-celery.

A task sent while a company's schema is active carries that schema in a header
(taken at *send* time) and runs in it; a task sent outside any company runs in
`public`. Periodic jobs go through one dispatcher (`tenants.tasks`) that fans
out to every active company.

This module is the bottom of the import layers: it imports nothing of ours. What a
worker does besides running tasks is wired by the apps in their `ready()`
(secretaria/worker.py: priorities, log context, task metrics; conversations: the
wake-up dispatcher).
"""

import os

import structlog
from celery.schedules import crontab
from celery.signals import before_task_publish, setup_logging
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretaria.settings")

# The task base class by dotted path (nothing of ours imported here): tenant-schemas-celery's, with its
# per-company cache bounded for a fleet (secretaria/celery_task.py).
app = CeleryApp("secretaria", task_cls="secretaria.celery_task:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.worker_hijack_root_logger = False
app.autodiscover_tasks()


@setup_logging.connect
def _keep_our_logging(**_kwargs):
    """Celery would install its own handlers; settings already configured structlog."""


@before_task_publish.connect
def _propagate_request_id(headers=None, **_kwargs):
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


app.conf.beat_schedule = {
    # At the start of each minute (not every 60 s from whenever beat started): the dispatcher takes the
    # period nearest to now, so two beats, or a restarted one, agree on it (tenants/dispatch.py).
    "tenants-dispatch-every-minute": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(),
        "args": ["minute"],
        "options": {"expires": 55},
    },
    "queue-size": {
        "task": "secretaria.queue_size_sample",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    # The age of the last good backups (tenants/backups/metrics.py): taken by other processes, exported here.
    "tenants-backup-age": {
        "task": "tenants.backup_age_sample",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "tenants-dispatch-hourly": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(minute=5),
        "args": ["hourly"],
        "options": {"expires": 3000},
    },
    # The platform's churn and upgrade reading of every company (public schema), after the companies' own.
    "analytics-platform-recommendations": {
        "task": "analytics.platform_recommendations",
        "schedule": crontab(hour=4, minute=30),
        "options": {"expires": 3600},
    },
    "tenants-dispatch-daily": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=3, minute=15),
        "args": ["daily"],
        "options": {"expires": 3600},
    },
}
