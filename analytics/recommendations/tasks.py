"""The daily run, per company (beat's "daily" cadence sends it to every company, in its schema)."""

from celery import shared_task

from analytics.recommendations.services import recommendations_compute


@shared_task(name="analytics.recommendations_compute", soft_time_limit=300, time_limit=330)
def recommendations_compute_task() -> dict[str, int]:
    return recommendations_compute()
