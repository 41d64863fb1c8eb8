"""Thin tasks: beat sends `analytics.report_nightly` every hour to every active company, in its schema
(TENANT_PERIODIC_TASKS["hourly"]). The service decides whether the company's midnight has passed and
yesterday is still to do; a rerun, or two workers at once, compute nothing twice."""

from celery import shared_task

from analytics.reports.services import report_nightly


@shared_task(name="analytics.report_nightly", ignore_result=True, time_limit=300, soft_time_limit=240)
def report_nightly_task() -> str:
    return report_nightly()
