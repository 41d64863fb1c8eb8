"""Thin tasks: beat sends `analytics.report_nightly` every hour to every active company, in its schema
(TENANT_PERIODIC_TASKS["hourly"]). The service decides whether the company's midnight has passed and
yesterday is still to do; a rerun, or two workers at once, compute nothing twice. `analytics.report_today`
runs every minute (TENANT_PERIODIC_TASKS["minute"]) and stores today's row when something happened."""

from celery import shared_task

from analytics.reports.services import report_nightly, report_today


@shared_task(name="analytics.report_nightly", ignore_result=True, time_limit=300, soft_time_limit=240)
def report_nightly_task() -> str:
    return report_nightly()


@shared_task(name="analytics.report_today", ignore_result=True, time_limit=120, soft_time_limit=90)
def report_today_task() -> str:
    return report_today()
