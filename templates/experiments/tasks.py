"""Thin task: beat sends `templates.abtests_autostop` every hour to every active company, in its schema
(TENANT_PERIODIC_TASKS["hourly"]). Running it twice at once stops nothing twice (the stop locks the row
and refuses a stopped test)."""

from celery import shared_task

from templates.experiments.services import experiments_autostop


@shared_task(name="templates.abtests_autostop", ignore_result=True, time_limit=120, soft_time_limit=90)
def abtests_autostop_task() -> int:
    return experiments_autostop()
