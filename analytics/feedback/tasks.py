"""Thin task: beat sends `analytics.feedback_gauges` every hour to every active company, in its schema
(TENANT_PERIODIC_TASKS["hourly"]); it only reads and sets gauges, so a rerun does no harm."""

from celery import shared_task
from django.db import connection

from analytics.feedback.metrics import nps_gauges_export


@shared_task(name="analytics.feedback_gauges", ignore_result=True, time_limit=60, soft_time_limit=45)
def feedback_gauges_task() -> int:
    return len(nps_gauges_export(schema=connection.schema_name))
