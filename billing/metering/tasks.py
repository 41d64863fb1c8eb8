"""Thin tasks: beat sends `billing.usage_rollup` every minute to every active company, in its schema
(TENANT_PERIODIC_TASKS). The roll-up recomputes from the rows, so a rerun or two workers racing
write the same figures."""

from celery import shared_task
from django.db import connection

from billing.metering.metrics import quota_ratios_export
from billing.metering.services import metering_enabled, usage_live, usage_rollup_recent


@shared_task(name="billing.usage_rollup", ignore_result=True, time_limit=120, soft_time_limit=100)
def usage_rollup_task() -> int:
    """UsageDaily for today and yesterday; the live counters rebuilt if Redis lost them; the ratio gauge."""
    written = usage_rollup_recent(company=connection.tenant)
    if metering_enabled():  # metering off (BILLING_METERING=0): no live counters to build or export
        quota_ratios_export(schema=connection.schema_name, values=usage_live())
    return written
