"""The platform's daily run: one global job (celery_app.py beat), in the public schema."""

from celery import shared_task

from analytics.platform.services import platform_recommendations_compute


@shared_task(name="analytics.platform_recommendations", soft_time_limit=600, time_limit=660)
def platform_recommendations_task() -> dict[str, int]:
    return platform_recommendations_compute()
