"""The periodic fan-out: beat's one task per cadence sends each per-company job to every active company."""

import random

from django.conf import settings
from django_tenants.utils import schema_context

from celery_app import app as celery_app
from secretaria.observability.metrics import TASKS_DISPATCHED
from tenants.selectors import company_list_active, schemas_existing


def periodic_dispatch(*, cadence: str, jitter_seconds: float = 5.0) -> int:
    """Send each periodic task of `cadence` once per active company, in its schema.

    Companies whose schema does not exist yet are skipped; a little random delay
    spreads the work so that every company's job does not start in the same second.
    """
    task_names = settings.TENANT_PERIODIC_TASKS.get(cadence, [])
    if not task_names:
        return 0
    existing = schemas_existing()
    sent = 0
    for company in company_list_active():
        if company.schema_name not in existing:
            continue
        with schema_context(company.schema_name):
            for name in task_names:
                celery_app.send_task(name, countdown=random.uniform(0, jitter_seconds))
                TASKS_DISPATCHED.labels(task=name).inc()
                sent += 1
    return sent
