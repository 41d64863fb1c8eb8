"""Thin task: beat samples the backup age every minute in the worker, whose samples /metrics exports."""

from celery import shared_task

from tenants.backups.metrics import backup_age_export


@shared_task(name="tenants.backup_age_sample", ignore_result=True, time_limit=30, soft_time_limit=20)
def backup_age_sample_task() -> dict[str, float]:
    return backup_age_export()
